"""Writes multilabel_metrics.json: scikit-learn's multi-label metrics on seeded random logits,
for MultiLabelMetricsTests to match. Ties among the scores, a class no image shows and a class
every image shows are included on purpose.

    python3 -m venv /tmp/sk && /tmp/sk/bin/pip install scikit-learn numpy
    /tmp/sk/bin/python Tests/GraftTrainingTests/Fixtures/make_multilabel_metrics.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, average_precision_score, log_loss, precision_recall_fscore_support

rng = np.random.default_rng(2026)
n, k = 40, 5
truth = (rng.random((n, k)) < 0.4).astype(int)
truth[:, 3] = 0  # a class no image shows: its average precision is undefined
truth[:, 4] = 1  # a class every image shows
logits = (rng.normal(0, 2, (n, k)) + 1.5 * (2 * truth - 1)).astype(np.float32)
logits[:6, 0] = logits[0, 0]  # tied scores enter the precision-recall steps together
probabilities = 1 / (1 + np.exp(-logits.astype(np.float64)))

cases = []
for threshold in (0.5, 0.3):
    predicted = (probabilities >= threshold).astype(int)
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, average=None, zero_division=0)
    per_class_ap = [None if truth[:, c].sum() == 0 else float(average_precision_score(truth[:, c], logits[:, c]))
                    for c in range(k)]
    defined = [ap for ap in per_class_ap if ap is not None]
    cases.append({
        "threshold": threshold,
        "precision": precision.tolist(), "recall": recall.tolist(), "f1": f1.tolist(), "support": support.tolist(),
        "average_precision": per_class_ap,
        "mean_average_precision": float(np.mean(defined)),
        "exact_match_ratio": float(accuracy_score(truth, predicted)),
        "label_accuracy": float((predicted == truth).mean()),
        "loss": float(np.mean([log_loss(truth[:, c], probabilities[:, c], labels=[0, 1]) for c in range(k)])),
    })

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "multilabel_metrics.json")
with open(out, "w") as f:
    json.dump({"sklearn_version": sklearn.__version__, "classes": k,
               "logits": [float(x) for x in logits.ravel()],
               "label_sets": [[int(c) for c in np.flatnonzero(row)] for row in truth],
               "cases": cases}, f, indent=1)
print("wrote", out)
