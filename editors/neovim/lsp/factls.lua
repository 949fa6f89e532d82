-- factls: language server for annotated text corpora (names, sources and
-- unsourced claims in plain-text and Markdown documents).
--
-- Neovim 0.11+ reads this file as the base configuration of the `factls`
-- server when it is found on the 'runtimepath' as lsp/factls.lua:
--
--   vim.lsp.enable('factls')
--
-- Override any field with vim.lsp.config('factls', { ... }), e.g. a binary
-- that is not on $PATH: vim.lsp.config('factls', { cmd = { '/path/to/factls', 'lsp' } }).
--
-- Settings are the same as VS Code's `factls.*` settings. Neovim sends
-- `settings` on `workspace/didChangeConfiguration` ({ settings = { factls = ... } })
-- and answers `workspace/configuration` from it; `before_init` below also passes
-- `settings.factls` as initializationOptions unless `init_options` is set.

---@type vim.lsp.Config
return {
  cmd = { 'factls', 'lsp' },
  filetypes = { 'text', 'markdown' },
  -- The corpus root: the nearest folder with factls.toml, else with
  -- entities.toml, else the repository. Without any, factls serves the
  -- single file.
  root_markers = { 'factls.toml', 'entities.toml', '.git' },
  settings = {
    factls = {
      -- rule id -> 'off' | 'error' | 'warning' | 'information' | 'hint'
      -- (money-figure, percentage, count, event-date, ranking, allegation,
      -- quotation, vague-linkage, weasel-words, superlative, peacock-term,
      -- sweeping-generalization, claim-marker, undefined-citation, unused-source)
      rules = vim.empty_dict(),
      -- paths relative to the corpus root
      knowledgeBase = { 'entities.toml' },
      sources = { 'sources.md' },
    },
  },
  before_init = function(params, config)
    if params.initializationOptions == nil and config.settings and config.settings.factls then
      params.initializationOptions = config.settings.factls
    end
  end,
}
