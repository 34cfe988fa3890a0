"""The career fair: fairs and their employers (`fairs`) and the published-results feed for
career-fair and reporting tools (`results`, with filters, CSV and incremental sync)."""
