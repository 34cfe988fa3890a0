"""Use cases of the season (docs/season.md): contracts in post and their reappointment
intentions, the programme years' intention deadlines, and the demand they make."""
