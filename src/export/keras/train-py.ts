/**
 * train.py: transfer learning on a folder of images with the recipe of the Keras guide "Transfer learning &
 * fine-tuning" (keras.io/guides/transfer_learning): freeze the base, train a new head, then optionally unfreeze
 * the top of the base (here: the last residual stage) and train on with a low learning rate, BatchNormalization
 * kept frozen in inference mode so its statistics stay (the guide's `training=False`; a frozen BatchNormalization
 * layer runs in inference mode). One flat model, so the saved file keeps model.py's layer names. Runs on one or
 * many machines with tf.distribute.MultiWorkerMirroredStrategy (TF_CONFIG names the workers; else all local GPUs).
 */
import type { ArchGraph } from '../../core';
import { layerCall } from './layer-call';
import { featuresNode } from './model-py';
import { pyNum, pyStr } from './python';

/**
 * build()'s new head, shaped as the exported model's own (featuresNode onward): its pooling, its hidden Dense (the
 * app's fine-tuning head `fc1`) and its dropout, with the classifier sized for the data's classes — the head
 * train.py of the PyTorch export re-initialises too. A model without a top gets global average pooling; one without
 * a dropout layer gets `head_dropout`, as the Keras guide's head has one. Layer names are the graph's.
 */
function headLines(graph: ArchGraph): { lines: string[]; dropout?: number } {
  const nodes = graph.nodes.slice(graph.nodes.indexOf(featuresNode(graph)) + 1);
  const last = nodes.at(-1);
  const classifier = last?.op.kind === 'dense' ? last : undefined;
  const lines = nodes.some((n) => n.op.kind === 'globalAvgPool' || n.op.kind === 'globalMaxPool')
    ? []
    : [`x = layers.GlobalAveragePooling2D(name=${pyStr('avg_pool')})(x)`];
  let dropout: number | undefined;
  for (const n of nodes) {
    if (n === classifier) continue;
    if (n.op.kind === 'dropout') {
      dropout = n.op.rate;
      lines.push(`x = layers.Dropout(args.dropout, name=${pyStr(n.id)})(x)`);
    } else lines.push(`x = ${layerCall(n)}(x)`);
  }
  if (dropout === undefined) lines.push(`x = layers.Dropout(args.dropout, name=${pyStr('head_dropout')})(x)`);
  lines.push(`outputs = layers.Dense(classes, activation='softmax', name=${pyStr(classifier?.id ?? 'predictions')})(x)`);
  return { lines, dropout };
}

export function trainPy(modelName: string, graph: ArchGraph): string {
  const head = headLines(graph);
  return `"""Train a new classifier head on ${modelName} for your own images, then optionally fine-tune its last stage.

    python train.py --data path/to/images            # one sub-folder per class
    python train.py --data path/to/images --fine-tune-epochs 5

Several machines: run the same command on each with TF_CONFIG naming the cluster and this worker's index
(https://www.tensorflow.org/tutorials/distribute/multi_worker_with_keras), e.g.

    TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}' \\
        python train.py --data /shared/images

Recipe of the Keras guide "Transfer learning & fine-tuning": frozen base, new head; then the last residual stage
unfrozen with a 100x lower learning rate, BatchNormalization kept frozen (inference mode) throughout. One flat
model keeping the layer names of model.py, so trained.h5 can be loaded by name.
"""
import argparse
import json
import os
import tempfile

import tensorflow as tf

import model as spec_model

keras = tf.keras
layers = keras.layers


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', required=True, help='folder with one sub-folder of images per class')
    p.add_argument('--weights', default=spec_model.WEIGHTS_FILE, help='Keras .h5 to start from (skipped if missing)')
    p.add_argument('--epochs', type=int, default=10, help='epochs of the new head on the frozen base')
    p.add_argument('--fine-tune-epochs', type=int, default=0, help='then epochs with the last stage unfrozen (0: none)')
    p.add_argument('--batch-size', type=int, default=32, help='per replica; the global batch is this x replicas')
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--fine-tune-lr', type=float, default=1e-5)
    p.add_argument('--validation-split', type=float, default=0.2)
    p.add_argument('--dropout', type=float, default=${pyNum(head.dropout ?? 0.2)}, help="the new head's dropout rate")
    p.add_argument('--seed', type=int, default=1337)
    p.add_argument('--out', default='trained', help='folder for trained.h5, classes.txt and history.json')
    return p.parse_args()


def is_chief(strategy):
    """The worker that writes the real files; the others write to a temporary folder (multi-worker saving)."""
    resolver = getattr(strategy, 'cluster_resolver', None)
    if resolver is None or not resolver.task_type:
        return True
    return resolver.task_type == 'chief' or (resolver.task_type == 'worker' and resolver.task_id == 0 and
                                             'chief' not in resolver.cluster_spec().as_dict())


def datasets(args, global_batch):
    size = spec_model.INPUT_SHAPE[:2]
    common = dict(validation_split=args.validation_split, seed=args.seed, image_size=size,
                  batch_size=global_batch, label_mode='int', crop_to_aspect_ratio=True)
    train = keras.utils.image_dataset_from_directory(args.data, subset='training', **common)
    val = keras.utils.image_dataset_from_directory(args.data, subset='validation', **common)
    class_names = train.class_names
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    prep = lambda x, y: (spec_model.preprocess(x), y)
    train = train.map(prep, num_parallel_calls=tf.data.AUTOTUNE).with_options(options).prefetch(tf.data.AUTOTUNE)
    val = val.map(prep, num_parallel_calls=tf.data.AUTOTUNE).with_options(options).prefetch(tf.data.AUTOTUNE)
    return train, val, class_names


def build(args, classes):
    """One flat model with our layer names: the base up to FEATURES_LAYER, frozen, and a new head shaped as the
    exported model's (its pooling and hidden layer), with a classifier for these classes."""
    full = spec_model.build_model()
    if args.weights and os.path.exists(args.weights):
        full.load_weights(args.weights, by_name=True)
        print(f'loaded {args.weights}')
    else:
        print(f'no weights file {args.weights!r}: the base starts from random weights')
    features = full.get_layer(spec_model.FEATURES_LAYER).output
    base = keras.Model(full.input, features, name='base')  # shares full's layers: used to freeze them
    for layer in base.layers:
        layer.trainable = False  # frozen BatchNormalization also runs in inference mode
    x = features
${head.lines.map((l) => `    ${l}`).join('\n')}
    return base, keras.Model(full.input, outputs, name=spec_model.MODEL_NAME + '_transfer')


def compile_model(model, lr):
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name='accuracy')])


def main():
    args = parse_args()
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    replicas = strategy.num_replicas_in_sync
    print(f'{replicas} replica(s)')
    train, val, class_names = datasets(args, args.batch_size * replicas)
    with strategy.scope():
        base, model = build(args, len(class_names))
        compile_model(model, args.lr)
    history = model.fit(train, validation_data=val, epochs=args.epochs).history

    if args.fine_tune_epochs > 0:
        with strategy.scope():
            # The last residual stage learns; every BatchNormalization stays frozen, in inference mode.
            for layer in base.layers:
                layer.trainable = (layer.name.startswith(spec_model.LAST_STAGE + '_')
                                   and not isinstance(layer, layers.BatchNormalization))
            compile_model(model, args.fine_tune_lr)
        more = model.fit(train, validation_data=val, epochs=args.epochs + args.fine_tune_epochs, initial_epoch=args.epochs)
        history = {k: history.get(k, []) + v for k, v in more.history.items()}

    out = args.out if is_chief(strategy) else tempfile.mkdtemp()
    os.makedirs(out, exist_ok=True)
    # Legacy HDF5 (Keras 2, and Keras 3 with a warning): layer names as in model.py, under model_weights/.
    model.save(os.path.join(out, 'trained.h5'))
    with open(os.path.join(out, 'classes.txt'), 'w') as f:
        f.write('\\n'.join(class_names) + '\\n')
    with open(os.path.join(out, 'history.json'), 'w') as f:
        json.dump({'classes': class_names, 'replicas': replicas, 'history': history}, f, default=float)
    print(f'wrote {out}/trained.h5, classes.txt and history.json')


if __name__ == '__main__':
    main()
`;
}
