import { runServer } from '../platform/run-server';
import { buildUiApp } from './app';
import { loadUiConfig } from './config';

void runServer({ service: 'ui', loadConfig: () => loadUiConfig(process.env), build: buildUiApp });
