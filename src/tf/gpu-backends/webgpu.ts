/** tfjs' WebGPU backend, as its own chunk: `chooseBackend` imports it only when a WebGPU adapter is there to try. */
import '@tensorflow/tfjs-backend-webgpu';
