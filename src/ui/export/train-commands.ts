/** "Train it for real": the commands that run an export's training script on real hardware, per format. */

export interface TrainHelp {
  readonly intro: string;
  readonly commands: readonly string[];
}

const TF_CONFIG = `TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}'`;

export function trainHelp(format: string, folder: string): TrainHelp | undefined {
  switch (format) {
    case 'keras':
      return {
        intro:
          'train.py trains a new head on the frozen network, then (with --fine-tune-epochs) its last stage, under tf.distribute.MultiWorkerMirroredStrategy: every local GPU on one machine; several machines when TF_CONFIG names them (run the same command on each, with its own index).',
        commands: [
          `cd ${folder}   # unzipped; needs TensorFlow 2.x (pip install tensorflow)`,
          'python train.py --data path/to/images --epochs 10 --fine-tune-epochs 5',
          `${TF_CONFIG} python train.py --data /shared/images   # on host1; "index": 1 on host2`,
        ],
      };
    case 'pytorch':
      return {
        intro: 'PyTorch with DistributedDataParallel, one process per GPU, started by torchrun (train.py --help lists its options).',
        commands: [
          `cd ${folder}   # unzipped; needs PyTorch`,
          'torchrun --standalone --nproc_per_node=NUM_GPUS train.py --data path/to/images',
          'torchrun --standalone --nproc_per_node=NUM_GPUS train.py --data path/to/images --finetune --epochs 10   # frozen backbone, new head',
          'torchrun --nnodes=2 --nproc_per_node=NUM_GPUS --rdzv_backend=c10d --rdzv_id=resnet --rdzv_endpoint=host1:29500 train.py --data /shared/images   # the same command on each machine; the c10d rendezvous assigns ranks',
        ],
      };
    case 'onnx':
      return {
        intro: 'ONNX is for inference (onnxruntime in Python, C++ or the browser); to train, export Keras or PyTorch code.',
        commands: [],
      };
    default:
      return undefined;
  }
}
