--[[
HTML accessibility the writer leaves out: header cells say which cells they head
(`scope`: "col" for the column headers; for a theme cell, which tables.lua made a row head,
"rowgroup" when it spans several rows and "row" when it heads only its own), and each table
sits in a labelled, keyboard-focusable region that scrolls sideways on a narrow screen
instead of overflowing the page.
]]

function Table(tbl)
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do
      cell.attributes.scope = "col"
    end
  end
  for _, body in ipairs(tbl.bodies) do
    if body.row_head_columns > 0 then
      for _, row in ipairs(body.body) do
        if #row.cells == #tbl.colspecs then
          local theme = row.cells[1]
          theme.attributes.scope = theme.row_span > 1 and "rowgroup" or "row"
        end
      end
    end
  end
  local name = pandoc.utils.stringify(tbl.caption.long)
  -- A list of pairs, not a Lua table: Pandoc would write a table's keys in hash order.
  local region = { { "role", "region" }, { "tabindex", "0" }, { "aria-label", name } }
  return pandoc.Div(tbl, pandoc.Attr("", { "table-region" }, region))
end
