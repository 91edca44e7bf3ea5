import { runServer } from '../platform/run-server';
import { buildCartsApp } from './app';
import { loadCartsConfig } from './config';

void runServer({ service: 'carts', loadConfig: () => loadCartsConfig(process.env), build: buildCartsApp });
