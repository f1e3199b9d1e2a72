from __future__ import annotations

from enum import StrEnum


class TrainingErrorCode(StrEnum):
    SCENARIO_NOT_FOUND = "training_scenario_not_found"
    SCENARIO_INVALID = "training_scenario_invalid"
    SCENARIO_EXISTS = "training_scenario_exists"
    SESSION_NOT_FOUND = "training_session_not_found"
    SESSION_STATE = "training_session_state"
    NOT_YOUR_SESSION = "training_not_your_session"
    TRAINEE_NOT_FOUND = "training_trainee_not_found"
