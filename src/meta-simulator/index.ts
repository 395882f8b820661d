export * from './meta-simulator';
export * from './webhook-events';
