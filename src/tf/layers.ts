/**
 * Custom tfjs layers for what tfjs-layers lacks: grouped convolution (ResNeXt) and the option-A zero-pad
 * shortcut. Both are registered for serialization so saved models round-trip.
 */
import * as tf from '@tensorflow/tfjs';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers';

type Kwargs = Record<string, unknown>;
const single = (x: tf.Tensor | tf.Tensor[]) => (Array.isArray(x) ? x[0] : x);

export interface GroupConv2DArgs {
  filters: number;
  kernelSize: number;
  strides: number;
  groups: number;
  padding: 'same' | 'valid';
  useBias: boolean;
  name: string;
  kernelInitializer?: Initializer | 'glorotUniform' | 'heNormal';
  trainable?: boolean;
}

/**
 * Grouped convolution as one depthwise convolution plus a reshape-sum, not `groups` small convs.
 *
 * The kernel is a depthwise kernel [k, k, Cin, Cout/G]: depthwise output channel c·m + j (m = Cout/G) holds
 * input channel c filtered for output j of its group; summing over the Cin/G inputs of each group gives the
 * grouped conv. MACs equal a true grouped conv, and the parameter count is exactly k·k·(Cin/G)·Cout. This is
 * keras-applications' ResNeXt layout (`DepthwiseConv2D(depth_multiplier=c)` then a constant `_2_gconv` that
 * sums within groups), so its `_2_conv/depthwise_kernel` loads here unchanged.
 */
export class GroupConv2D extends tf.layers.Layer {
  static className = 'GroupConv2D';
  private readonly args: GroupConv2DArgs;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: GroupConv2DArgs) {
    super({ name: args.name, trainable: args.trainable ?? true });
    this.args = args;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const cin = shape[shape.length - 1] as number;
    const { filters, groups, kernelSize } = this.args;
    if (cin % groups !== 0 || filters % groups !== 0) {
      throw new Error(`${this.name}: groups ${groups} must divide input channels ${cin} and filters ${filters}`);
    }
    if (cin / groups !== filters / groups) {
      // The depthwise layout needs Cin/G inputs per group to equal Cout/G outputs per group (true for ResNeXt).
      throw new Error(`${this.name}: grouped conv needs equal input and output channels, got ${cin} → ${filters}`);
    }
    const init = this.args.kernelInitializer ?? 'glorotUniform';
    this.kernel = this.addWeight(
      'depthwise_kernel',
      [kernelSize, kernelSize, cin, filters / groups],
      'float32',
      typeof init === 'string' ? tf.initializers[init]({}) : init,
    );
    if (this.args.useBias) this.bias = this.addWeight('bias', [filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const { strides, kernelSize, padding, filters } = this.args;
    const side = (n: number | null) =>
      n === null ? null : padding === 'same' ? Math.ceil(n / strides) : Math.floor((n - kernelSize) / strides) + 1;
    return [s[0], side(s[1]), side(s[2]), filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const { strides, padding, groups, filters } = this.args;
      const y = tf.depthwiseConv2d(x, this.kernel!.read() as tf.Tensor4D, strides, padding);
      const [n, h, w] = y.shape;
      const per = filters / groups;
      let out: tf.Tensor = tf.sum(tf.reshape(y, [n, h, w, groups, per, per]), 4);
      out = tf.reshape(out, [n, h, w, filters]);
      if (this.bias) out = tf.add(out, this.bias.read());
      return out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { kernelInitializer: _k, ...rest } = this.args;
    return { ...super.getConfig(), ...rest };
  }
}

export interface ZeroPadShortcutArgs {
  stride: number;
  channelPad: readonly [number, number];
  name: string;
}

/**
 * He et al. 2015 option A: identity with spatial subsampling and zero-filled extra channels. Built from ops that
 * have gradients in tfjs (strided slicing has none): a 1×1 average pool with the stride keeps every
 * `stride`-th pixel, then `pad` adds the zero channels.
 */
export class ZeroPadShortcut extends tf.layers.Layer {
  static className = 'ZeroPadShortcut';
  private readonly args: ZeroPadShortcutArgs;

  constructor(args: ZeroPadShortcutArgs) {
    super({ name: args.name, trainable: false });
    this.args = args;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const { stride, channelPad } = this.args;
    const side = (n: number | null) => (n === null ? null : Math.ceil(n / stride));
    return [s[0], side(s[1]), side(s[2]), (s[3] as number) + channelPad[0] + channelPad[1]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      let x = single(inputs) as tf.Tensor4D;
      const { stride, channelPad } = this.args;
      if (stride > 1) x = tf.avgPool(x, 1, stride, 'valid');
      if (channelPad[0] + channelPad[1] === 0) return x;
      return tf.pad(x, [
        [0, 0],
        [0, 0],
        [0, 0],
        [channelPad[0], channelPad[1]],
      ]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stride: this.args.stride, channelPad: [...this.args.channelPad] };
  }
}

tf.serialization.registerClass(GroupConv2D);
tf.serialization.registerClass(ZeroPadShortcut);
