/**
 * Python source of the two Keras layers Keras lacks in our layout, emitted into model.py only when the graph
 * uses them. They compute what `src/tf/layers.ts` computes and keep the same weights, so a weights file from
 * this app loads unchanged.
 */

/**
 * keras.layers.Conv2D(groups=G) computes the same function but stores its kernel as [k, k, C/G, C]; ours (and
 * keras-applications' ResNeXt `_2_conv`) is a depthwise kernel [k, k, C, C/G] followed by a sum within groups.
 */
export const GROUP_CONV_PY = `@keras.utils.register_keras_serializable(package='resnet_explorer')
class GroupConv2D(layers.Layer):
    """Grouped convolution as one depthwise convolution plus a sum within each group.

    Weights: depthwise_kernel [k, k, C, C // groups] (then bias [C]), the layout of keras-applications'
    ResNeXt \`_2_conv\` and of ResNet Explorer. Depthwise output channel c * m + j (m = C // groups) is input
    channel c filtered for output j of its group; summing over a group's C // groups inputs gives the grouped
    convolution. keras.layers.Conv2D(groups=...) computes the same function but keeps a [k, k, C // groups, C]
    kernel, so it would not load these weights by name.
    """

    def __init__(self, filters, kernel_size, strides=1, groups=1, padding='valid', use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.strides = int(strides)
        self.groups = int(groups)
        self.padding = padding
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        cin = int(input_shape[-1])
        if cin % self.groups or cin != self.filters:
            raise ValueError(f'{self.name}: groups={self.groups} needs input channels == filters, divisible by groups; got {cin} -> {self.filters}')
        k = self.kernel_size
        self.depthwise_kernel = self.add_weight(
            name='depthwise_kernel', shape=(k, k, cin, self.filters // self.groups), initializer='glorot_uniform')
        self.bias = self.add_weight(name='bias', shape=(self.filters,), initializer='zeros') if self.use_bias else None
        super().build(input_shape)

    def call(self, inputs):
        s = self.strides
        y = tf.nn.depthwise_conv2d(inputs, self.depthwise_kernel, strides=(1, s, s, 1), padding=self.padding.upper())
        per = self.filters // self.groups
        shape = tf.shape(y)
        y = tf.reshape(y, tf.concat([shape[:3], [self.groups, per, per]], axis=0))
        y = tf.reshape(tf.reduce_sum(y, axis=4), tf.concat([shape[:3], [self.filters]], axis=0))
        return y + self.bias if self.bias is not None else y

    def compute_output_shape(self, input_shape):
        def side(n):
            if n is None:
                return None
            return -(-n // self.strides) if self.padding == 'same' else (n - self.kernel_size) // self.strides + 1
        return (input_shape[0], side(input_shape[1]), side(input_shape[2]), self.filters)

    def get_config(self):
        return {**super().get_config(), 'filters': self.filters, 'kernel_size': self.kernel_size,
                'strides': self.strides, 'groups': self.groups, 'padding': self.padding, 'use_bias': self.use_bias}
`;

/** He et al. 2015, section 4.1 option A; channel padding split evenly as in akamaster/pytorch_resnet_cifar10. */
export const ZERO_PAD_SHORTCUT_PY = `@keras.utils.register_keras_serializable(package='resnet_explorer')
class ZeroPadShortcut(layers.Layer):
    """Option-A shortcut (He et al. 2015, section 4.1): keep every \`stride\`-th pixel, zero-pad the channels.

    No weights. channel_pad = (before, after) zero channels.
    """

    def __init__(self, stride=1, channel_pad=(0, 0), **kwargs):
        super().__init__(**kwargs)
        self.stride = int(stride)
        self.channel_pad = (int(channel_pad[0]), int(channel_pad[1]))

    def call(self, inputs):
        x = inputs[:, ::self.stride, ::self.stride, :] if self.stride > 1 else inputs
        return tf.pad(x, [[0, 0], [0, 0], [0, 0], list(self.channel_pad)])

    def compute_output_shape(self, input_shape):
        side = lambda n: None if n is None else -(-n // self.stride)
        return (input_shape[0], side(input_shape[1]), side(input_shape[2]), input_shape[3] + sum(self.channel_pad))

    def get_config(self):
        return {**super().get_config(), 'stride': self.stride, 'channel_pad': self.channel_pad}
`;
