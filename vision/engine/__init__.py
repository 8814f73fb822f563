"""The vision app's computation without Django: crop geometry, image coding, the classifier (torch/timm),
hysteresis of predictions, backoff of failing cameras, the linear probe and the demo frame generator.
Services, the benchmark and plain unit tests drive it."""
