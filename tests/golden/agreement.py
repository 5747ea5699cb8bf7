"""Reference values for tests/unit/agreement.test.ts (run with Debian's python3: /usr/bin/python3 tests/golden/agreement.py).

Fleiss' kappa: statsmodels.stats.inter_rater.fleiss_kappa (method='fleiss').
Cohen's kappa: sklearn.metrics.cohen_kappa_score.
Krippendorff's alpha (nominal): the `krippendorff` package is not installable here, so it is computed from the
published formula (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability", coincidence matrix), and that
implementation is first checked on the paper's own worked example (nominal alpha = 0.743).
"""
from collections import Counter
from statsmodels.stats.inter_rater import fleiss_kappa
from sklearn.metrics import cohen_kappa_score


def kripp_nominal(units):
    """units: list of lists of values (missing values left out)."""
    o = Counter()
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    o[(c, k)] += 1 / (m - 1)
    n_c = Counter()
    for (c, k), w in o.items():
        n_c[c] += w
    n = sum(n_c.values())
    d_o = sum(w for (c, k), w in o.items() if c != k)
    d_e = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    return 1 - (n - 1) * d_o / d_e


# Krippendorff (2011), section C: 4 coders, 12 units, missing values (None).
paper = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
paper_units = [[row[u] for row in paper if row[u] is not None] for u in range(12)]
print("krippendorff paper example (expect 0.743):", round(kripp_nominal(paper_units), 3))

# Binary labels from 3-5 raters per item, some items with one rating only.
units = [["1", "1", "0"], ["0", "0", "0"], ["1", "1", "1", "0"], ["0"], ["1", "0"], ["0", "0", "1", "1", "0"], ["1", "1"], ["0", "1", "0"]]
print("krippendorff binary units:", repr(kripp_nominal(units)))

table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
print("fleiss (the worked example on Wikipedia, 10 items x 14 raters):", repr(fleiss_kappa(table, method="fleiss")))
table3 = [[3, 0], [2, 1], [0, 3], [1, 2], [3, 0], [3, 0]]
print("fleiss 3 raters binary:", repr(fleiss_kappa(table3, method="fleiss")))

a = ["spam", "ham", "spam", "spam", "ham", "hate", "ham", "spam", "hate", "ham"]
b = ["spam", "ham", "ham", "spam", "ham", "hate", "spam", "spam", "ham", "ham"]
print("cohen:", repr(cohen_kappa_score(a, b)))
