/**
 * One graph node → the Keras layer constructor call that builds it, with our layer name. Keras defaults are left
 * out only where they equal ours (Conv2D/Dense kernel init Glorot uniform, BatchNormalization momentum 0.99).
 */
import type { GraphNode } from '../../core';
import { ExportError } from '../types';
import { pyNum, pyStr, pyTuple } from './python';

/** The constructor call, e.g. `layers.Conv2D(64, 7, strides=2, padding='valid', use_bias=True, name='conv1_conv')`. */
export function layerCall(node: GraphNode): string {
  const name = `name=${pyStr(node.id)}`;
  const op = node.op;
  switch (op.kind) {
    case 'input':
      return `keras.Input(shape=${pyTuple(node.outShape)}, ${name})`;
    case 'zeropad':
      return `layers.ZeroPadding2D(padding=${pyTuple(op.padding)}, ${name})`;
    case 'conv': {
      const args = `${op.filters}, ${op.kernel}, strides=${op.stride}`;
      const tail = `padding=${pyStr(op.padding)}, use_bias=${op.bias ? 'True' : 'False'}, ${name}`;
      if (op.groups === 1) return `layers.Conv2D(${args}, ${tail})`;
      const cin = node.inShapes[0][2];
      if (cin !== op.filters) {
        // Our GroupConv2D keeps keras-applications' depthwise layout, which needs as many inputs as outputs per group.
        throw new ExportError('keras', `${node.id}.groups`, op.groups, `a grouped conv needs equal input and output channels here, got ${cin} → ${op.filters}`);
      }
      return `GroupConv2D(${args}, groups=${op.groups}, ${tail})`;
    }
    case 'bn':
      return `layers.BatchNormalization(axis=-1, epsilon=${pyNum(op.epsilon)}, ${name})`;
    case 'relu':
      return `layers.Activation('relu', ${name})`;
    case 'maxpool':
      return `layers.MaxPooling2D(${op.pool}, strides=${op.stride}, ${name})`;
    case 'zeroPadShortcut':
      return `ZeroPadShortcut(stride=${op.stride}, channel_pad=${pyTuple(op.channelPad)}, ${name})`;
    case 'add':
      return `layers.Add(${name})`;
    case 'globalAvgPool':
      return `layers.GlobalAveragePooling2D(${name})`;
    case 'globalMaxPool':
      return `layers.GlobalMaxPooling2D(${name})`;
    case 'dense':
      return `layers.Dense(${op.units}, activation=${pyStr(op.activation)}, ${name})`;
    case 'dropout':
      return `layers.Dropout(${pyNum(op.rate)}, ${name})`;
  }
}
