"""Scaffold subcommands: build with BSB, convert, download, summarise."""
from ..atomic import write_csv
from .registry import arg, command, config_arg


@command("scaffold-build", "build a scaffold with BSB 3 (seeded)",
         arg("--bsb-python", required=True, help="python of the BSB environment"),
         config_arg("--x", "scaffold.build.x", required=True),
         config_arg("--z", "scaffold.build.z", required=True),
         config_arg("--seed", "scaffold.build.seed", default=1),
         arg("--config", help="BSB network configuration (default: bundled Casali 2019)"),
         arg("-o", "--output", required=True))
def _scaffold_build(args):
    from ..scaffold.build import build_with_bsb
    build_with_bsb(args.bsb_python, args.output, x=args.x, z=args.z, seed=args.seed,
                   config=args.config)


@command("scaffold-convert", "read any scaffold layout, write the v3 layout",
         arg("input"),
         arg("--sha256", help="verify the input against this digest first ('' = skip)"),
         arg("-o", "--output", required=True))
def _scaffold_convert(args):
    from ..scaffold.build import convert
    from ..scaffold.download import verify
    if args.sha256 is not None:
        verify(args.input, args.sha256)
    convert(args.input, args.output)


@command("scaffold-download", "download a published scaffold, verified",
         arg("url"),
         arg("--sha256", default="",
             help="expected digest; empty: record on first download, enforce later"),
         arg("-o", "--output", required=True))
def _scaffold_download(args):
    from ..scaffold.download import download
    download(args.url, args.output, args.sha256 or "")


@command("scaffold-summary", "count tables and figure of a scaffold",
         arg("scaffold"),
         arg("--populations", required=True, help="output CSV, one row per population"),
         arg("--connections", required=True, help="output CSV, one row per connection"),
         arg("--figure", required=True, help="output PNG"),
         arg("--title", default=""))
def _scaffold_summary(args):
    from ..plots.scaffold import scaffold_summary
    from ..scaffold import read_scaffold
    from ..scaffold.summary import connection_table, population_table
    scaffold = read_scaffold(args.scaffold)
    write_csv(population_table(scaffold), args.populations)
    write_csv(connection_table(scaffold), args.connections)
    scaffold_summary(scaffold, args.figure, title=f"[{args.title}]" if args.title else "")
