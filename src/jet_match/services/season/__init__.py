"""The JET season around a round: offers to alternates, arrival rosters, placement notices."""
