"""A result names the policy it was scored under: every weight, the cap, and a digest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields

from solver_builders import opening, org, person, problem

from jet_match.solver import ScoringPolicy, Weights, policy_digest, policy_document

#: The digest of the published defaults (no cap); a change here changes every result.
DEFAULT_DIGEST = "sha256:72548c12484662cc029f23180978141257a288f81fc9bc7e1b443d7efa5b085a"


class TestPolicyDigest:
    def test_the_defaults_have_a_fixed_digest(self) -> None:
        assert policy_digest(ScoringPolicy()) == DEFAULT_DIGEST

    def test_it_is_sha256_of_the_canonical_json(self) -> None:
        canonical = {
            "max_country_share_per_prefecture": 0.25,
            "weights": dict(sorted(asdict(Weights(experience=3)).items())),
        }
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
        expected = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
        assert policy_digest(ScoringPolicy(Weights(experience=3), 0.25)) == expected

    def test_every_weight_and_the_cap_count(self) -> None:
        digests = {policy_digest(ScoringPolicy())}
        for weight in fields(Weights):
            changed = Weights(**{weight.name: getattr(Weights(), weight.name) + 1})
            digests.add(policy_digest(ScoringPolicy(changed)))
        digests.add(policy_digest(ScoringPolicy(Weights(), 0.5)))
        assert len(digests) == len(fields(Weights)) + 2

    def test_a_whole_cap_is_the_same_policy_as_its_float(self) -> None:
        assert policy_digest(ScoringPolicy(Weights(), 1)) == policy_digest(
            ScoringPolicy(Weights(), 1.0)
        )

    def test_a_problem_names_its_policy(self) -> None:
        pb = problem([org()], [opening()], [person()], weights=Weights(preference_1=7))
        document = policy_document(pb)
        assert document["weights"]["preference_1"] == 7
        assert set(document["weights"]) == {f.name for f in fields(Weights)}
        assert document["max_country_share_per_prefecture"] is None
        assert document["digest"] == policy_digest(pb)
