import * as tf from '@tensorflow/tfjs';

/** tfjs in Node: the cpu backend (tfjs-node is not installable here). Silences the "install tfjs-node" banner. */
export async function useCpu(): Promise<typeof tf> {
  tf.env().set('PROD', true);
  const log = console.log;
  console.log = () => {};
  try {
    await tf.setBackend('cpu');
    await tf.ready();
  } finally {
    console.log = log;
  }
  return tf;
}
