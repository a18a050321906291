"""The verdict on results with known counts: each claim supported, contradicted or inconclusive
as its intervals say, and the instance comparison."""

from __future__ import annotations

import pandas as pd

from reports import verdict
from reports.summary import summarize

N = 40


def cell(schedule, lr, success, final, oscillation, instance=0):
    rows = []
    for i in range(N):
        for split, index in (("tune", 2 * i), ("test", 2 * i + 1)):
            rows.append(
                {
                    "function": "rastrigin",
                    "dim": 2,
                    "instance": instance,
                    "optimizer": "sgd",
                    "schedule": schedule,
                    "steps": 100,
                    "noise": "none",
                    "params": "{}",
                    "lr": lr,
                    "start": index,
                    "split": split,
                    "success_basin": i < success,
                    "final_in_global_basin": i < final,
                    "success_target": i < success,
                    "start_in_global_basin": i < 2,
                    "diverged": False,
                    "f_final": 0.0 if i < success else 1.0,
                    "freeze_step": 0,
                    "oscillation": oscillation * (1 + (i % 7) / 10),
                    "hit_1e-01": -1,
                }
            )
    return pd.DataFrame(rows).astype({"final_in_global_basin": "boolean", "start_in_global_basin": "boolean"})


def run(instance=0, decay_final=36):
    return pd.concat(
        [
            cell("constant", 0.001, 2, 2, 0.0, instance),  # small lr: stays in its start basin, settles
            cell("constant", 0.1, 0, 20, 5.0, instance),  # large lr: reaches the valley, never settles
            cell("cosine", 0.1, decay_final - 2, decay_final, 0.001, instance),
        ]
    )


def test_the_three_claims_supported_with_their_numbers():
    results = run()
    cases = verdict.cases(results, summarize(results, resamples=100), resamples=100)
    row = cases.iloc[0]
    assert (row["claim1"], row["claim2"], row["claim3"]) == ("supported", "supported", "supported")
    assert row["escape_gain"] == 18.0 and row["large_final"] == 0.5 and row["small_final"] == 0.05
    assert row["large_settling"] == 0.0 and row["settling"] == 34 / 36
    text = "\n".join(verdict.paragraphs(cases))
    assert "supported (supported in 1 of 1 cases)" in text and "18 [" in text


def test_overlapping_intervals_are_inconclusive_and_instances_compared():
    results = pd.concat([run(0), run(1, decay_final=4)])
    cases = verdict.cases(results, summarize(results, resamples=100), resamples=100).set_index("instance")
    assert cases.loc[1, "claim1"] in ("inconclusive", "mixed") and cases.loc[0, "claim1"] == "supported"
    line = verdict.instance_shift(cases.reset_index())
    assert line is not None and "change in 1 of 1" in line and "claim 1" in line
    assert verdict.overall(cases.reset_index(), "claim3") == "supported (supported in 2 of 2 cases)"
    assert verdict.overall(pd.DataFrame(), "claim1").startswith("inconclusive")


def test_the_best_decay_is_chosen_on_the_tune_starts():
    # linear: best on tune starts, worse on test starts; cosine: the other way round. The verdict
    # judges linear (chosen on tune), not the schedule that the test starts happen to favour.
    linear = cell("linear", 0.1, 30, 36, 0.001)
    cosine = cell("cosine", 0.1, 30, 36, 0.001)
    linear.loc[linear["split"] == "test", "success_basin"] &= linear["start"] < 20
    cosine.loc[cosine["split"] == "tune", "success_basin"] &= cosine["start"] < 20
    results = pd.concat([cell("constant", 0.001, 2, 2, 0.0), cell("constant", 0.1, 0, 20, 5.0), linear, cosine])
    row = verdict.cases(results, summarize(results, resamples=100), resamples=100).iloc[0]
    assert row["best_decay"] == "linear"


def test_a_settling_rate_from_one_start_does_not_decide_claim_2():
    # 1 of 1 settled (a percentile bootstrap would read 100% [100%, 100%]) against 0 of 3: Wilson
    # intervals [20.7%, 100%] and [0%, 56.1%] overlap, so claim 2 stays open.
    results = pd.concat(
        [cell("constant", 0.001, 0, 0, 0.0), cell("constant", 0.1, 0, 3, 5.0), cell("cosine", 0.1, 1, 1, 0.001)]
    )
    row = verdict.cases(results, summarize(results, resamples=100), resamples=100).iloc[0]
    assert row["settling"] == 1.0 and row["large_settling"] == 0.0
    assert round(row["settling_low"], 3) == 0.207 and round(row["large_settling_high"], 3) == 0.561
    assert row["claim2"] == "inconclusive"
