export * from './analysis';
export * from './errors';
export * from './expand';
export * from './graph';
export * from './keras-order';
export * from './presets';
export * from './spec';
export * from './validate';
