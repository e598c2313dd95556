"""The programme's rules that need no database: scoring (the scale, rates, levels, percent)
and disclosure (k, the smallest group a figure may describe). Every app may import these;
they import no app. See docs/rules.md."""
