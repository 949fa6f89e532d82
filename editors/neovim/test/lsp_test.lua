-- Headless end-to-end test of editors/neovim/lsp/factls.lua with Neovim's own
-- LSP client (Neovim 0.11+):
--
--   FACTLS_BINARY=/abs/target/debug/factls FACTLS_NVIM_RTP=/abs/editors/neovim \
--     nvim --headless --clean -c 'luafile editors/neovim/test/lsp_test.lua' CORPUS/000_16a33d4f32bdc8d1.txt
--
-- The file given on the command line must be the seed article inside a copy
-- of seeds/ (the test edits it in the buffer, never on disk). Every step
-- prints "ok - ..." to stdout; a failure prints "not ok - ..." with what was
-- expected and what came back to stderr and exits with `cquit 1`.

local TIMEOUT = 15000
local binary = assert(os.getenv('FACTLS_BINARY'), 'FACTLS_BINARY is not set')
local rtp = assert(os.getenv('FACTLS_NVIM_RTP'), 'FACTLS_NVIM_RTP is not set')
local passed = 0

local function out(msg)
  io.stdout:write(msg .. '\n')
  io.stdout:flush()
end

local function fail(msg)
  io.stderr:write('not ok - ' .. msg .. '\n')
  io.stderr:flush()
  vim.cmd('cquit 1')
end

local function ok(msg)
  passed = passed + 1
  out('ok - ' .. msg)
end

local function inspect(value)
  return vim.inspect(value, { newline = ' ', indent = '' })
end

-- Wrap each step so a Lua error is a test failure, not a hang.
local function step(name, fn)
  local success, err = xpcall(fn, debug.traceback)
  if not success then
    fail(name .. ': ' .. tostring(err))
  end
end

local exit_code, exit_signal
local progress = {}
vim.api.nvim_create_autocmd('LspProgress', {
  callback = function(ev)
    local value = ev.data and ev.data.params and ev.data.params.value
    if type(value) == 'table' and value.kind then
      table.insert(progress, value.kind)
    end
  end,
})
local buf = vim.api.nvim_get_current_buf()
local article = vim.api.nvim_buf_get_name(buf)
local client

step('load the shipped config', function()
  vim.opt.rtp:prepend(rtp)
  -- Only the binary path differs from the shipped lsp/factls.lua.
  vim.lsp.config('factls', {
    cmd = { binary, 'lsp' },
    on_exit = function(code, signal)
      exit_code, exit_signal = code, signal
    end,
  })
  vim.lsp.enable('factls')
  -- -c commands run before VimEnter: attach the already-open buffer.
  vim.cmd('doautoall nvim.lsp.enable FileType')
  if vim.bo[buf].filetype ~= 'text' then
    fail(('expected filetype "text" for %s, got %q'):format(article, vim.bo[buf].filetype))
  end
  local attached = vim.wait(TIMEOUT, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'factls' }) > 0
  end, 50)
  if not attached then
    fail('expected a factls client attached to ' .. article .. ' (cmd ' .. binary .. ' lsp)')
  end
  client = vim.lsp.get_clients({ bufnr = buf, name = 'factls' })[1]
  local root = vim.fs.dirname(article)
  if vim.fs.normalize(client.root_dir or '') ~= vim.fs.normalize(root) then
    fail(('expected root_dir %s (has entities.toml), got %s'):format(root, tostring(client.root_dir)))
  end
  if not vim.tbl_contains(client.config.filetypes or {}, 'markdown') then
    fail('expected the shipped config (filetypes text, markdown), got ' .. inspect(client.config.filetypes))
  end
  local ready = vim.wait(TIMEOUT, function()
    return client.initialized
  end, 50)
  if not ready then
    fail('the server did not finish initialize')
  end
  ok('client attached with the shipped lsp/factls.lua (root ' .. client.root_dir .. ', encoding ' .. client.offset_encoding .. ')')
end)

local function diagnostics_of(code)
  return vim.tbl_filter(function(d)
    return d.code == code
  end, vim.diagnostic.get(buf))
end

local function describe(diags)
  return inspect(vim.tbl_map(function(d)
    return ('%d:%d %s %s'):format(d.lnum, d.col, tostring(d.code), d.message)
  end, diags))
end

step('diagnostics on open', function()
  local found = vim.wait(TIMEOUT, function()
    for _, d in ipairs(diagnostics_of('money-figure')) do
      if d.lnum == 18 then
        return true
      end
    end
    return false
  end, 50)
  if not found then
    fail('expected a money-figure diagnostic on 0-based line 18, got ' .. describe(vim.diagnostic.get(buf)))
  end
  local d = diagnostics_of('money-figure')[1]
  if d.source ~= 'factls' then
    fail('expected diagnostic source "factls", got ' .. inspect(d.source))
  end
  ok(('diagnostics on open: %d, money-figure at line 18: %q'):format(#vim.diagnostic.get(buf), d.message))
end)

-- Cursor on "Krasner" in "Larry Krasner" on the first line (byte columns;
-- make_position_params converts to the negotiated encoding).
local line0 = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
local name_col = line0:find('Larry Krasner', 1, true)
if not name_col then
  fail('expected "Larry Krasner" on the first line of ' .. article)
end
local krasner_col = name_col - 1 + #'Larry ' + 2

local function request(method, params)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  if not responses then
    fail(method .. ': no response: ' .. tostring(err))
  end
  local response = responses[client.id]
  if not response then
    fail(method .. ': no response from factls, got ' .. inspect(responses))
  end
  if response.err then
    fail(method .. ': error ' .. inspect(response.err))
  end
  return response.result
end

local function position_params()
  vim.api.nvim_set_current_buf(buf)
  vim.api.nvim_win_set_cursor(0, { 1, krasner_col })
  return vim.lsp.util.make_position_params(0, client.offset_encoding)
end

step('hover', function()
  local result = request('textDocument/hover', position_params())
  if not result or not result.contents then
    fail('hover on Krasner: expected a card, got ' .. inspect(result))
  end
  local lines = vim.lsp.util.convert_input_to_markdown_lines(result.contents)
  local text = table.concat(lines, '\n')
  if not text:find('Larry Krasner', 1, true) or not text:find('person', 1, true) then
    fail('hover on Krasner: expected "Larry Krasner" and "person", got ' .. inspect(text))
  end
  ok('hover on Krasner: ' .. (lines[1] or ''))
end)

step('definition', function()
  local result = request('textDocument/definition', position_params())
  if result and result.uri or result and result.targetUri then
    result = { result }
  end
  if not result or #result == 0 then
    fail('definition of Krasner: expected a location, got ' .. inspect(result))
  end
  local loc = result[1]
  local uri = loc.uri or loc.targetUri
  local range = loc.range or loc.targetSelectionRange or loc.targetRange
  if not vim.endswith(uri, 'entities.toml') then
    fail('definition of Krasner: expected a URI ending with entities.toml, got ' .. uri)
  end
  local kb = vim.fn.readfile(vim.uri_to_fname(uri))
  local id_line
  for i, l in ipairs(kb) do
    if l:match('^%s*id%s*=%s*"larry%-krasner"') then
      id_line = i - 1
    end
  end
  if not id_line then
    fail('entities.toml: expected id = "larry-krasner"')
  end
  local first, last = id_line, id_line + 1
  while first > 0 and not kb[first + 1]:match('^%s*%[%[entity%]%]') do
    first = first - 1
  end
  while last < #kb and not kb[last + 1]:match('^%s*%[%[') do
    last = last + 1
  end
  local line = range.start.line
  if line < first or line >= last then
    fail(('definition of Krasner: expected a line in [%d, %d) (the larry-krasner table), got %d: %q'):format(
      first, last, line, tostring(kb[line + 1])))
  end
  -- What `gd` does: jump there.
  vim.lsp.util.show_document(loc, client.offset_encoding, { focus = true })
  local here = vim.api.nvim_buf_get_name(0)
  local cursor = vim.api.nvim_win_get_cursor(0)
  if not vim.endswith(here, 'entities.toml') or cursor[1] - 1 ~= line then
    fail(('gd: expected the cursor in entities.toml line %d, got %s line %d'):format(line, here, cursor[1] - 1))
  end
  ok(('definition of Krasner: entities.toml:%d: %s'):format(line + 1, kb[line + 1]))
  vim.api.nvim_set_current_buf(buf)
end)

step('references', function()
  local params = position_params()
  params.context = { includeDeclaration = true }
  local result = request('textDocument/references', params)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local expected = 0
  for _, l in ipairs(lines) do
    for _ in l:gmatch('%f[%w]Krasner%f[%W]') do
      expected = expected + 1
    end
  end
  local in_article = {}
  for _, loc in ipairs(result or {}) do
    if vim.uri_to_fname(loc.uri) == article or vim.uv.fs_realpath(vim.uri_to_fname(loc.uri)) == vim.uv.fs_realpath(article) then
      table.insert(in_article, ('%d:%d'):format(loc.range.start.line, loc.range.start.character))
    end
  end
  if #in_article ~= expected then
    fail(('references of Krasner: expected %d in the article, got %d: %s (all: %s)'):format(
      expected, #in_article, inspect(in_article), inspect(result)))
  end
  -- What `gr` puts in the quickfix list: byte columns, converted from the
  -- negotiated encoding; each must point at "Krasner" in the text.
  local items = vim.lsp.util.locations_to_items(result, client.offset_encoding)
  for _, item in ipairs(items) do
    if item.filename == article or vim.uv.fs_realpath(item.filename) == vim.uv.fs_realpath(article) then
      local at = lines[item.lnum]:sub(item.col, item.col + #'Krasner' - 1)
      local whole = lines[item.lnum]:sub(item.col, item.end_col and item.end_col - 1 or -1)
      if at ~= 'Krasner' and not whole:find('Krasner', 1, true) then
        fail(('references: expected "Krasner" at %d:%d, got %q'):format(item.lnum, item.col, whole))
      end
    end
  end
  ok(('references of Krasner: %d in the article, %d in all (quickfix list of %d items, columns checked)'):format(
    #in_article, #result, #items))
end)

step('code action', function()
  local d = diagnostics_of('money-figure')[1]
  local lsp_diag = d.user_data and d.user_data.lsp
  if not lsp_diag then
    fail('expected the LSP diagnostic in user_data.lsp, got ' .. inspect(d))
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, only = { 'quickfix' }, triggerKind = 1 },
  }
  local actions = request('textDocument/codeAction', params) or {}
  local titles = vim.tbl_map(function(a)
    return a.title
  end, actions)
  local action
  for _, a in ipairs(actions) do
    if a.title:lower():find('suppress', 1, true) and a.title:find('money-figure', 1, true) then
      action = a
      break
    end
  end
  if not action then
    fail('code actions on the money-figure diagnostic: expected "Suppress `money-figure` on this line", got ' .. inspect(titles))
  end
  if not action.edit and action.data then
    local resolved = request('codeAction/resolve', action)
    action = resolved or action
  end
  if not action.edit then
    fail('code action "' .. action.title .. '": expected a WorkspaceEdit, got ' .. inspect(action))
  end
  local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  if vim.deep_equal(before, after) then
    fail('code action "' .. action.title .. '": expected the buffer to change, edit was ' .. inspect(action.edit))
  end
  local joined = table.concat(after, '\n')
  if not joined:find('factls-ignore', 1, true) then
    fail('code action "' .. action.title .. '": expected a factls-ignore comment in the buffer')
  end
  -- The server sees the edit (didChange) and drops the suppressed diagnostic.
  local money_line
  for i, l in ipairs(after) do
    if l:find('$1.7 million', 1, true) then
      money_line = i - 1
    end
  end
  local silenced = vim.wait(TIMEOUT, function()
    for _, x in ipairs(diagnostics_of('money-figure')) do
      if x.lnum == money_line then
        return false
      end
    end
    return true
  end, 50)
  if not silenced then
    fail(('after "%s": expected no money-figure diagnostic on line %d, got %s'):format(
      action.title, money_line, describe(diagnostics_of('money-figure'))))
  end
  ok(('code action %q applied (%d -> %d lines) and silenced the diagnostic'):format(action.title, #before, #after))
end)

step('indexing progress', function()
  local done = vim.wait(TIMEOUT, function()
    return vim.tbl_contains(progress, 'end')
  end, 50)
  if not done then
    fail('expected $/progress begin ... end while the corpus is indexed (LspProgress), got ' .. inspect(progress))
  end
  ok('indexing progress: ' .. table.concat(progress, ', '))
end)

step('document symbols', function()
  local result = request('textDocument/documentSymbol', { textDocument = { uri = vim.uri_from_bufnr(buf) } }) or {}
  local items = vim.lsp.util.symbols_to_items(result, buf, client.offset_encoding)
  local names = vim.tbl_map(function(item) return item.text end, items)
  local found = vim.tbl_filter(function(name) return name:find('Larry Krasner', 1, true) end, names)
  if #found == 0 then
    fail('document symbols: expected an entry for Larry Krasner, got ' .. inspect(names))
  end
  ok(('document symbols: %d (e.g. %s)'):format(#items, found[1]))
end)

step('semantic tokens', function()
  -- Neovim requests them by itself and highlights with @lsp.type.* groups.
  local groups = {}
  local highlighted = vim.wait(TIMEOUT, function()
    local pos = vim.inspect_pos(buf, 0, krasner_col, { semantic_tokens = true, syntax = false, treesitter = false, extmarks = false })
    groups = vim.tbl_map(function(t) return t.opts.hl_group end, pos.semantic_tokens)
    return #groups > 0
  end, 50)
  if not highlighted then
    fail('semantic tokens: expected @lsp.* highlights on Krasner (line 0), got none')
  end
  ok('semantic tokens on Krasner: ' .. table.concat(groups, ' '))
end)

step('rename', function()
  local params = position_params()
  local prepared = request('textDocument/prepareRename', params)
  if not prepared then
    fail('prepareRename on Krasner: expected a range or placeholder, got nil')
  end
  params.newName = 'larry-krasner-2'
  local edit = request('textDocument/rename', params)
  local files = {}
  for uri in pairs((edit or {}).changes or {}) do
    table.insert(files, vim.fs.basename(vim.uri_to_fname(uri)))
  end
  for _, change in ipairs((edit or {}).documentChanges or {}) do
    if change.textDocument then
      table.insert(files, vim.fs.basename(vim.uri_to_fname(change.textDocument.uri)))
    end
  end
  if #files == 0 then
    fail('rename of Krasner: expected a WorkspaceEdit, got ' .. inspect(edit))
  end
  ok(('rename of Krasner (placeholder %s): edits %s'):format(inspect(prepared.placeholder), table.concat(files, ', ')))
end)

step('markdown buffer', function()
  local sources = vim.fs.joinpath(vim.fs.dirname(article), 'sources.md')
  vim.cmd.edit(vim.fn.fnameescape(sources))
  local md = vim.api.nvim_get_current_buf()
  if vim.bo[md].filetype ~= 'markdown' then
    fail('expected filetype markdown for sources.md, got ' .. vim.bo[md].filetype)
  end
  local attached = vim.wait(TIMEOUT, function()
    return vim.lsp.buf_is_attached(md, client.id)
  end, 50)
  if not attached then
    fail('expected the same factls client to attach to sources.md (markdown)')
  end
  ok('markdown buffer sources.md attached to the same client')
  vim.api.nvim_set_current_buf(buf)
end)

step('stop', function()
  client:stop()
  local stopped = vim.wait(TIMEOUT, function()
    return client:is_stopped() and exit_code ~= nil
  end, 50)
  if not stopped then
    fail('expected the client to stop and the server to exit after shutdown + exit')
  end
  if exit_code ~= 0 or (exit_signal and exit_signal ~= 0) then
    fail(('expected the server to exit with code 0, got code %s signal %s'):format(tostring(exit_code), tostring(exit_signal)))
  end
  ok('client stopped; the server exited with code 0')
end)

out(('neovim: %d passed, 0 failed'):format(passed))
vim.cmd('qall!')
