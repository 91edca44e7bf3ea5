import { runServer } from '../platform/run-server';
import { buildOrdersApp } from './app';
import { loadOrdersConfig } from './config';

void runServer({ service: 'orders', loadConfig: () => loadOrdersConfig(process.env), build: buildOrdersApp });
