"""The ``smvar fetch`` command: download a basin's products and write the input layout.

Provides
--------
register
    Add the ``fetch`` sub-command to an :mod:`argparse` sub-parser set
    (called by :mod:`smvar.cli`).

Usage::

    smvar fetch data/basins/heihe_real.yaml --out inputs/heihe-real [--only lst_day,dem]
    smvar fetch data/basins/heihe_real.yaml --plan      # print every request, download nothing

writes ``DIR/fine.zarr``, ``DIR/reanalysis.zarr``, ``DIR/microwave.zarr`` (the
layout of ``smvar synth``) and ``DIR/fetch_report.json``; a parameter file then
reads them with ``data: {source: local, folder: DIR}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register"]


def _run(args: argparse.Namespace) -> int:
    from smvar.config import load_config
    from smvar.realdata import routes
    from smvar.realdata.fetch import Endpoints
    from smvar.sources import get_source

    config = load_config(args.basin)
    if args.plan:
        print(json.dumps(routes.plan(config), indent=2))
        return 0
    if not args.out:
        print("smvar fetch: error: --out DIR is required (or use --plan)", file=sys.stderr)
        return 2
    only = [v.strip() for v in args.only.split(",") if v.strip()] if args.only else None
    endpoints = Endpoints(stac_url=args.stac_url or routes.PC_STAC_URL,
                          token_url=None if args.no_sign else routes.PC_TOKEN_URL)
    folder = get_source("fetched").write(config, Path(args.out), only=only, cache=args.cache, endpoints=endpoints)
    report = json.loads((folder / "fetch_report.json").read_text(encoding="utf-8"))
    print(f"fetched: {', '.join(report['fetched']) or 'none'}")
    print(f"routes failed: {', '.join(report['failed']) or 'none'}")
    print(f"not had: {', '.join(report['missing']) or 'none'}")
    print(f"{'complete' if report['complete'] else 'INCOMPLETE'}: written to {args.out} "
          "(see fetch_report.json)")
    return 0 if report["complete"] else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``fetch`` to the sub-commands of ``smvar``."""
    parser = subparsers.add_parser(
        "fetch", help="download a basin's real products and write the input layout",
        description="Download the products of the paper's Table 1 for the basin and period of a "
                    "parameter file (Planetary Computer, Earthdata, CDS, SoilGrids), read the local "
                    "files of data.files, and write fine.zarr, reanalysis.zarr and microwave.zarr.")
    parser.add_argument("basin", help="basin parameter file, e.g. data/basins/heihe_real.yaml")
    parser.add_argument("--out", help="folder to write the inputs to")
    parser.add_argument("--only", help="comma-separated contract variables (default: all)")
    parser.add_argument("--cache", help="download folder (default: data.cache or ~/.cache/smvar)")
    parser.add_argument("--plan", action="store_true", help="print every request as JSON and stop")
    parser.add_argument("--stac-url", help="STAC API base URL (default: Planetary Computer)")
    parser.add_argument("--no-sign", action="store_true", help="do not sign STAC asset hrefs")
    parser.set_defaults(handler=_run)

