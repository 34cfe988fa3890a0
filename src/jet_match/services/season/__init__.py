"""Use cases of the JET season: before the round (docs/season.md) contracts in post and
their reappointment intentions, the programme years' intention deadlines and the demand
they make; after publication (docs/season-offers.md) offers to alternates, arrival rosters
and placement notices."""
