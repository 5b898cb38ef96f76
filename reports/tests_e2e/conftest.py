def pytest_configure(config):
    config.addinivalue_line("markers", "nightly: runs in the scheduled nightly (ci/nightly.sh extras), not in CI's ci/test.sh")
