import { runServer } from '../platform/run-server';
import { buildCheckoutApp } from './app';
import { loadCheckoutConfig } from './config';

void runServer({ service: 'checkout', loadConfig: () => loadCheckoutConfig(process.env), build: buildCheckoutApp });
