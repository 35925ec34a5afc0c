"""``passerelle self-test``: prove that an installation works, on the machine it runs on.

IT staff run it after installing a bundle, field staff when something looks wrong. It
goes through the same code as a real session (encrypted profile, services, search,
printing, translations, Qt) in a scratch folder that is removed at the end, whatever
happens. Nothing personal is written or shown: the test record is fictitious.
"""

from app.selftest.runner import CheckResult, run_self_test

__all__ = ["CheckResult", "run_self_test"]
