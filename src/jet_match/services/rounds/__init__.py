"""Use cases of matching rounds: rounds, runs (the API side, the queue, the outcome),
the working plan, review, publications, vacancies and withdrawals."""
