import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reports"))

import synthetic_result  # noqa: E402


@pytest.fixture
def result_doc():
    return synthetic_result.make_result(seed=3)


@pytest.fixture
def result_file(tmp_path, result_doc):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(result_doc))
    return path
