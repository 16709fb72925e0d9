/**
 * Keras' `model.layers` order, which is not creation order: tf.keras `functional._map_graph_network` sorts
 * layers by depth from the output (deepest first) and breaks ties by the order a depth-first walk from the
 * output first reaches each layer (inputs visited in order). tfjs-layers' Container does the same.
 */
import { type ArchGraph, nodeIndex } from './graph';

export function kerasLayerOrder(graph: ArchGraph): string[] {
  const byId = nodeIndex(graph);
  const layerIndex = new Map<string, number>();
  const finished = new Set<string>();
  const postOrder: string[] = [];

  // Iterative DFS: ResNet-1202's longest input→output path is over 5,000 layers, too deep for recursion in some engines.
  const stack: { id: string; next: number }[] = [{ id: graph.outputId, next: 0 }];
  layerIndex.set(graph.outputId, 0);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = byId.get(top.id)!.inputs;
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (finished.has(child)) continue;
      if (!layerIndex.has(child)) layerIndex.set(child, layerIndex.size);
      stack.push({ id: child, next: 0 });
    } else {
      stack.pop();
      if (!finished.has(top.id)) {
        finished.add(top.id);
        postOrder.push(top.id);
      }
    }
  }

  const depth = new Map<string, number>();
  for (let i = postOrder.length - 1; i >= 0; i--) {
    const id = postOrder[i];
    const d = depth.get(id) ?? 0;
    depth.set(id, d);
    for (const p of byId.get(id)!.inputs) depth.set(p, Math.max(d + 1, depth.get(p) ?? 0));
  }

  return [...depth.keys()].sort((a, b) => depth.get(b)! - depth.get(a)! || layerIndex.get(a)! - layerIndex.get(b)!);
}
