"""Static files in production: whitenoise's compressed, hashed files, with ES module imports rewritten too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Also rewrites `import ... from "./x.js"` to the hashed name, so a page's modules (static/js/floor/) are
    cached forever and never mixed across deploys."""

    support_js_module_import_aggregation = True
