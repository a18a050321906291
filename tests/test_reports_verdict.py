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
