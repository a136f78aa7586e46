/**
 * PyTorch checkpoints without torch: {@link dev.brine.torch.TorchFile} reads what {@code torch.save} writes (the zip
 * format, the legacy format, pickled tensors) and writes zip checkpoints {@code torch.load(weights_only=True)} reads;
 * {@link dev.brine.torch.Tensor} is a tensor over a shared, lazily read storage. Nothing named by a file is run:
 * only the rebuild functions {@code weights_only=True} allows are interpreted. See docs/TORCH.md.
 */
package dev.brine.torch;
