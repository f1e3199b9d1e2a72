"""Fine-tuning the sentence encoder on labelled utterances, for one intent model.

Frozen sentence features place utterances by general meaning; a few epochs of training
the encoder itself on the intents (a linear head over the same pooled layers the
classifier reads, cross-entropy with label smoothing) separate intents that general
meaning keeps together ("card not working" / "card swallowed"). On the BANKING77 dev
split this took the classifier from 92.1-92.4% to 93.2% (docs/benchmarks.md).

The tuned encoder is exported and quantised like the packaged one and travels inside the
intent model it was tuned for; the shared encoder is never changed. Training needs torch
(already a training-time dependency for the export); serving does not.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vitrina.bot.encoder import HIDDEN, LAYERS, MAX_TOKENS, export_onnx, load_source, model_dir

Progress = Callable[[str, float], None]


@dataclass(frozen=True, slots=True)
class Tuning:
    """How the encoder is tuned. Chosen on the BANKING77 dev split: 2 epochs at 1e-4
    gave 92.7-92.9%, 3 epochs at 1.5e-4 gave 93.2%."""

    epochs: int = 3
    learning_rate: float = 1.5e-4
    # The freshly initialised head learns this much faster than the pretrained encoder.
    head_learning_rate_factor: float = 20.0
    batch_size: int = 32
    warmup_share: float = 0.06
    label_smoothing: float = 0.1
    # Pooled layers are unit vectors; logits need a scale to become confident.
    logit_scale: float = 20.0
    threads: int = 2
    seed: int = 0


def _batches(lengths: Sequence[int], size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches of similar length (little padding), in random order, shuffled within ties."""
    shuffled = rng.permutation(len(lengths))
    order = shuffled[np.argsort(np.asarray(lengths)[shuffled], kind="stable")]
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def fine_tune(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    tuning: Tuning | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Tune the packaged encoder on (texts, labels); the quantised ONNX model, as bytes."""
    import torch
    from tokenizers import Tokenizer

    from vitrina.bot.encoder import pooled_layers

    plan = tuning or Tuning()
    report = progress or (lambda _step, _share: None)
    if len(texts) != len(labels) or not texts:
        raise ValueError("fine-tuning needs as many labels as texts, and at least one")
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(plan.threads)
    torch.manual_seed(plan.seed)
    rng = np.random.default_rng(plan.seed)
    try:
        classes = sorted(set(labels))
        index = {label: i for i, label in enumerate(classes)}
        target = torch.tensor([index[label] for label in labels], dtype=torch.int64)
        tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        encoded = tokenizer.encode_batch(list(texts))
        lengths = [sum(e.attention_mask) for e in encoded]

        model = load_source()
        head = torch.nn.Linear(HIDDEN * len(LAYERS), len(classes))
        optimiser = torch.optim.AdamW(
            [
                {"params": model.parameters(), "lr": plan.learning_rate},
                {
                    "params": head.parameters(),
                    "lr": plan.learning_rate * plan.head_learning_rate_factor,
                },
            ],
            weight_decay=0.01,
        )
        per_epoch = math.ceil(len(texts) / plan.batch_size)
        total = per_epoch * plan.epochs
        warmup = max(1, int(plan.warmup_share * total))

        def rate(step: int) -> float:
            return min(1.0, step / warmup) * max(0.0, (total - step) / max(1, total - warmup))

        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
        scale = plan.logit_scale / math.sqrt(len(LAYERS))
        model.train()
        step = 0
        for epoch in range(plan.epochs):
            for batch in _batches(lengths, plan.batch_size, rng):
                width = max(lengths[i] for i in batch)
                ids = torch.tensor([encoded[i].ids[:width] for i in batch], dtype=torch.int64)
                mask = torch.tensor(
                    [encoded[i].attention_mask[:width] for i in batch], dtype=torch.int64
                )
                pooled = pooled_layers(model, ids, mask)
                unit = pooled / pooled.norm(dim=-1, keepdim=True).clamp(min=1e-9)
                logits = head(unit.flatten(1) * scale)
                loss = torch.nn.functional.cross_entropy(
                    logits, target[batch], label_smoothing=plan.label_smoothing
                )
                optimiser.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                optimiser.step()
                schedule.step()
                step += 1
                if step % 10 == 0 or step == total:
                    report(f"tuning the encoder, epoch {epoch + 1}/{plan.epochs}", step / total)
        model.eval()
        with tempfile.TemporaryDirectory() as scratch:
            path = export_onnx(Path(scratch) / "tuned.onnx", model)
            return path.read_bytes()
    finally:
        torch.set_num_threads(previous_threads)
