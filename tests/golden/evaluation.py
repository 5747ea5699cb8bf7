# Computes the expected values in tests/unit/evaluation.test.ts with the reference implementations named in
# DESIGN.md (scikit-learn 1.2.1 from Debian's python3-sklearn):  /usr/bin/python3 tests/golden/evaluation.py
# The test suite does not run this; the numbers it printed are written into the test.
import json, numpy as np, warnings
warnings.filterwarnings('ignore')
from sklearn.calibration import calibration_curve, _sigmoid_calibration
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, brier_score_loss
from sklearn.isotonic import IsotonicRegression
def ece(y, p, n):
    bins = np.linspace(0, 1, n + 1); ids = np.searchsorted(bins[1:-1], p)
    tot = np.bincount(ids, minlength=n+1); s = np.bincount(ids, weights=p, minlength=n+1); t = np.bincount(ids, weights=y, minlength=n+1)
    nz = tot > 0
    gaps = np.abs(t[nz]/tot[nz] - s[nz]/tot[nz])
    return float(np.sum(gaps * tot[nz] / len(p))), float(gaps.max())
cases = {
 'mixed_ties': ([0,0,1,1,0,1,0,1,1,0,1,0], [0.1,0.4,0.35,0.8,0.4,0.9,0.05,0.65,0.4,0.2,0.7,0.55]),
 'edges': ([0,1,0,1,1,0], [0.3,0.5,0.1,0.0,1.0,0.7]),
 'empty_bins': ([0,0,1,1], [0.01,0.02,0.95,0.97]),
 'all_positive': ([1,1,1], [0.2,0.5,0.9]),
 'all_negative': ([0,0,0], [0.2,0.5,0.9]),
 'single': ([1], [0.7]),
}
out = {}
for name, (y, p) in cases.items():
    y = np.array(y); p = np.array(p)
    r = {}
    for nb, strat in [(5,'uniform'),(10,'uniform'),(4,'quantile')]:
        pt, pp = calibration_curve(y, p, n_bins=nb, strategy=strat)
        r[f'{strat}{nb}'] = {'fraction_positive': pt.tolist(), 'mean_predicted': pp.tolist()}
    r['brier'] = float(brier_score_loss(y, p))
    r['ap'] = float(average_precision_score(y, p))
    pr, rc, th = precision_recall_curve(y, p)
    r['pr'] = {'precision': pr.tolist(), 'recall': rc.tolist(), 'thresholds': th.tolist()}
    try: r['roc_auc'] = float(roc_auc_score(y, p))
    except ValueError: r['roc_auc'] = None
    r['ece15'], r['mce15'] = ece(y, p, 15)
    r['ece5'], r['mce5'] = ece(y, p, 5)
    out[name] = r
# Platt and isotonic
rng = np.random.RandomState(0)
f = np.round(rng.normal(size=40), 3); yy = (rng.uniform(size=40) < 1/(1+np.exp(-2*f))).astype(int)
a, b = _sigmoid_calibration(f, yy)
out['platt'] = {'f': f.tolist(), 'y': yy.tolist(), 'a': float(a), 'b': float(b)}
x = np.array([0.1,0.2,0.2,0.3,0.5,0.5,0.6,0.8,0.9,0.95]); yi = np.array([0,1,0,0,1,0,1,1,0,1])
iso = IsotonicRegression(out_of_bounds='clip').fit(x, yi)
q = [0.0,0.1,0.15,0.2,0.25,0.5,0.55,0.7,0.9,0.93,1.0]
out['isotonic'] = {'x': x.tolist(), 'y': yi.tolist(), 'query': q, 'predicted': iso.predict(q).tolist()}
print(json.dumps(out))
