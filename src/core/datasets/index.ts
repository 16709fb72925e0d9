export * from './prng';
export * from './shapes';
export * from './folders';
