"""``actui demo-data``: write a sample Customer 360 SQLite database for trying actui out."""

from __future__ import annotations

from pathlib import Path

import click

from actui.cli.output import emit_json


@click.command(name="demo-data")
@click.option(
    "--rows", type=click.IntRange(min=1), default=100_000, show_default=True, help="Customers."
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The SQLite file to write.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same data.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def demo_data(rows: int, out: Path, seed: int, force: bool, as_json: bool) -> None:
    """Write a sample Customer 360 (customer_360, merged_customers, orders) to a new SQLite file."""
    from actui.demo.data import write_demo_sqlite

    stats = write_demo_sqlite(out, rows, seed, overwrite=force)
    if as_json:
        emit_json(
            {
                "rows": stats.rows,
                "seconds": stats.seconds,
                "path": str(stats.path),
                "url": f"sqlite:///{out.resolve()}",
            }
        )
        return
    click.echo(f"Wrote {stats.rows:,} customers to {stats.path} in {stats.seconds:.1f} s.")
    click.echo(f"Open it with: actui --db sqlite:///{out.resolve()}")
