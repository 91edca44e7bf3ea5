import { runServer } from '../platform/run-server';
import { buildCatalogApp } from './app';
import { loadCatalogConfig } from './config';

void runServer({ service: 'catalog', loadConfig: () => loadCatalogConfig(process.env), build: buildCatalogApp });
