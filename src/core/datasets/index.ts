export * from './prng';
export * from './shapes';
export * from './folders';
export * from './cifar10';
