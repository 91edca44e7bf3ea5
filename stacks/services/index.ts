export * from './service-image';
export * from './services-stack';
export * from './shop-service';
export * from './shop-services';
