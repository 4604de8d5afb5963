"""Risk data for batch screening: COVID risk-area listings, movement records and watchlists of persons.

Pure Python (no Django); every reader returns Arrow tables (the watchlist and movement readers: the
entries and the rejected rows with their reasons).  Formats and gap handling are described
in ``docs/risk-data.md``.
"""

from pingan.screening.riskdata.movements import (
    REJECTION_SCHEMA,
    MovementFormatError,
    movements_relation,
    read_movements,
)
from pingan.screening.riskdata.nhc import (
    LISTING_SCHEMA,
    NHCFormatError,
    build_bundled_nhc,
    bundled_nhc_listings,
    nhc_listings,
    resolution_shares,
)
from pingan.screening.riskdata.places import Resolution, resolve_place
from pingan.screening.riskdata.watchlists import (
    WATCHLIST_SCHEMA,
    WatchlistFormatError,
    read_ofac_sdn,
    read_un_consolidated,
    read_watchlist_csv,
)

__all__ = [
    "LISTING_SCHEMA",
    "REJECTION_SCHEMA",
    "WATCHLIST_SCHEMA",
    "MovementFormatError",
    "NHCFormatError",
    "Resolution",
    "WatchlistFormatError",
    "build_bundled_nhc",
    "bundled_nhc_listings",
    "movements_relation",
    "nhc_listings",
    "read_movements",
    "read_ofac_sdn",
    "read_un_consolidated",
    "read_watchlist_csv",
    "resolution_shares",
    "resolve_place",
]
