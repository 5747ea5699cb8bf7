/**
 * Golden numbers for evaluation, computed by the reference implementations named in DESIGN.md — scikit-learn 1.2.1
 * (Debian's python3-sklearn): calibration_curve, brier_score_loss, average_precision_score, precision_recall_curve,
 * roc_auc_score, CalibratedClassifierCV's _sigmoid_calibration and IsotonicRegression — by
 * tests/golden/evaluation.py (ECE/MCE there with numpy over the same searchsorted bins). The suite never runs
 * Python; the values are written here, and both the per-item functions (evaluation.test.ts) and the DuckDB
 * aggregation path of eval.run (evalHost.test.ts) are checked against them.
 */
export const GOLDEN = {
  mixed_ties: {
    uniform5: {
      fraction_positive: [0.0, 0.5, 0.0, 1.0, 1.0],
      mean_predicted: [0.11666666666666668, 0.38749999999999996, 0.55, 0.7166666666666668, 0.9],
    },
    uniform10: {
      fraction_positive: [0.0, 0.0, 0.5, 0.0, 1.0, 1.0, 1.0],
      mean_predicted: [0.07500000000000001, 0.2, 0.38749999999999996, 0.55, 0.675, 0.8, 0.9],
    },
    quantile4: {
      fraction_positive: [0.0, 0.5, 0.5, 1.0],
      mean_predicted: [0.11666666666666668, 0.38749999999999996, 0.6000000000000001, 0.8000000000000002],
    },
    brier: 0.14333333333333334,
    ap: 0.8819444444444443,
    pr: {
      precision: [0.5, 0.5454545454545454, 0.6, 0.6666666666666666, 0.625, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0],
      recall: [
        1.0, 1.0, 1.0, 1.0, 0.8333333333333334, 0.6666666666666666, 0.6666666666666666, 0.5, 0.3333333333333333,
        0.16666666666666666, 0.0,
      ],
      thresholds: [0.05, 0.1, 0.2, 0.35, 0.4, 0.55, 0.65, 0.7, 0.8, 0.9],
    },
    roc_auc: 0.8611111111111112,
    ece15: 0.19166666666666668,
    mce15: 0.55,
    ece5: 0.19166666666666665,
    mce5: 0.55,
  },
  edges: {
    uniform5: {
      fraction_positive: [0.5, 0.0, 1.0, 0.0, 1.0],
      mean_predicted: [0.05, 0.3, 0.5, 0.7, 1.0],
    },
    uniform10: {
      fraction_positive: [0.5, 0.0, 1.0, 0.0, 1.0],
      mean_predicted: [0.05, 0.3, 0.5, 0.7, 1.0],
    },
    quantile4: {
      fraction_positive: [0.5, 0.0, 1.0, 0.5],
      mean_predicted: [0.05, 0.3, 0.5, 0.85],
    },
    brier: 0.3066666666666667,
    ap: 0.7222222222222222,
    pr: {
      precision: [0.5, 0.4, 0.5, 0.6666666666666666, 0.5, 1.0, 1.0],
      recall: [
        1.0, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 0.3333333333333333, 0.3333333333333333, 0.0,
      ],
      thresholds: [0.0, 0.1, 0.3, 0.5, 0.7, 1.0],
    },
    roc_auc: 0.5555555555555556,
    ece15: 0.4333333333333333,
    mce15: 1.0,
    ece5: 0.39999999999999997,
    mce5: 0.7,
  },
  empty_bins: {
    uniform5: {
      fraction_positive: [0.0, 1.0],
      mean_predicted: [0.015, 0.96],
    },
    uniform10: {
      fraction_positive: [0.0, 1.0],
      mean_predicted: [0.015, 0.96],
    },
    quantile4: {
      fraction_positive: [0.0, 0.0, 1.0, 1.0],
      mean_predicted: [0.01, 0.02, 0.95, 0.97],
    },
    brier: 0.0009750000000000015,
    ap: 1.0,
    pr: {
      precision: [0.5, 0.6666666666666666, 1.0, 1.0, 1.0],
      recall: [1.0, 1.0, 1.0, 0.5, 0.0],
      thresholds: [0.01, 0.02, 0.95, 0.97],
    },
    roc_auc: 1.0,
    ece15: 0.027500000000000017,
    mce15: 0.040000000000000036,
    ece5: 0.027500000000000017,
    mce5: 0.040000000000000036,
  },
  all_positive: {
    uniform5: {
      fraction_positive: [1.0, 1.0, 1.0],
      mean_predicted: [0.2, 0.5, 0.9],
    },
    uniform10: {
      fraction_positive: [1.0, 1.0, 1.0],
      mean_predicted: [0.2, 0.5, 0.9],
    },
    quantile4: {
      fraction_positive: [1.0, 1.0, 1.0],
      mean_predicted: [0.2, 0.5, 0.9],
    },
    brier: 0.30000000000000004,
    ap: 1.0,
    pr: {
      precision: [1.0, 1.0, 1.0, 1.0],
      recall: [1.0, 0.6666666666666666, 0.3333333333333333, 0.0],
      thresholds: [0.2, 0.5, 0.9],
    },
    roc_auc: null,
    ece15: 0.4666666666666667,
    mce15: 0.8,
    ece5: 0.4666666666666667,
    mce5: 0.8,
  },
  all_negative: {
    uniform5: {
      fraction_positive: [0.0, 0.0, 0.0],
      mean_predicted: [0.2, 0.5, 0.9],
    },
    uniform10: {
      fraction_positive: [0.0, 0.0, 0.0],
      mean_predicted: [0.2, 0.5, 0.9],
    },
    quantile4: {
      fraction_positive: [0.0, 0.0, 0.0],
      mean_predicted: [0.2, 0.5, 0.9],
    },
    brier: 0.3666666666666667,
    ap: -0.0,
    pr: {
      precision: [0.0, 0.0, 0.0, 1.0],
      recall: [1.0, 1.0, 1.0, 0.0],
      thresholds: [0.2, 0.5, 0.9],
    },
    roc_auc: null,
    ece15: 0.5333333333333333,
    mce15: 0.9,
    ece5: 0.5333333333333333,
    mce5: 0.9,
  },
  single: {
    uniform5: {
      fraction_positive: [1.0],
      mean_predicted: [0.7],
    },
    uniform10: {
      fraction_positive: [1.0],
      mean_predicted: [0.7],
    },
    quantile4: {
      fraction_positive: [1.0],
      mean_predicted: [0.7],
    },
    brier: 0.09000000000000002,
    ap: 1.0,
    pr: {
      precision: [1.0, 1.0],
      recall: [1.0, 0.0],
      thresholds: [0.7],
    },
    roc_auc: null,
    ece15: 0.30000000000000004,
    mce15: 0.30000000000000004,
    ece5: 0.30000000000000004,
    mce5: 0.30000000000000004,
  },
  platt: {
    f: [
      1.764, 0.4, 0.979, 2.241, 1.868, -0.977, 0.95, -0.151, -0.103, 0.411, 0.144, 1.454, 0.761, 0.122, 0.444, 0.334,
      1.494, -0.205, 0.313, -0.854, -2.553, 0.654, 0.864, -0.742, 2.27, -1.454, 0.046, -0.187, 1.533, 1.469, 0.155,
      0.378, -0.888, -1.981, -0.348, 0.156, 1.23, 1.202, -0.387, -0.302,
    ],
    y: [
      1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1,
      0, 1,
    ],
    a: -0.9210447162041185,
    b: -0.6983047240601171,
  },
  isotonic: {
    x: [0.1, 0.2, 0.2, 0.3, 0.5, 0.5, 0.6, 0.8, 0.9, 0.95],
    y: [0, 1, 0, 0, 1, 0, 1, 1, 0, 1],
    query: [0.0, 0.1, 0.15, 0.2, 0.25, 0.5, 0.55, 0.7, 0.9, 0.93, 1.0],
    predicted: [
      0.0, 0.0, 0.1666666666666666, 0.3333333333333333, 0.3333333333333333, 0.5, 0.5833333333333334, 0.6666666666666666,
      0.6666666666666666, 0.8666666666666671, 1.0,
    ],
  },
} as const;

export type GoldenCase = {
  brier: number;
  ap: number;
  roc_auc: number | null;
  ece15: number;
  mce15: number;
  ece5: number;
  mce5: number;
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
} & Record<string, unknown>;

export const INPUTS: Record<string, [number[], number[]]> = {
  mixed_ties: [
    [0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0],
    [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.05, 0.65, 0.4, 0.2, 0.7, 0.55],
  ],
  edges: [
    [0, 1, 0, 1, 1, 0],
    [0.3, 0.5, 0.1, 0.0, 1.0, 0.7],
  ],
  empty_bins: [
    [0, 0, 1, 1],
    [0.01, 0.02, 0.95, 0.97],
  ],
  all_positive: [
    [1, 1, 1],
    [0.2, 0.5, 0.9],
  ],
  all_negative: [
    [0, 0, 0],
    [0.2, 0.5, 0.9],
  ],
  single: [[1], [0.7]],
};
