"""Names of the files people download."""


def file_name(assessment, suffix="xlsx", kind="checksheet") -> str:
    """A download name people recognise: company, scope, edition, fiscal year."""
    parts = [
        assessment.scope.display_name,
        f"{assessment.edition.guideline.slug}-{assessment.edition.code}",
        f"FY{assessment.fiscal_year}",
    ]
    if assessment.revision > 1:
        parts.append(f"r{assessment.revision}")
    parts.append(kind)
    name = "_".join(parts)
    for bad in '/\\:*?"<>|\r\n\t':
        name = name.replace(bad, "-")
    return f"{name}.{suffix}"
