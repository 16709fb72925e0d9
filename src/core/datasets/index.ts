export * from './prng';
export * from './shapes';
