--[[
The brief's tables: the first column names the theme a row belongs to, and a row whose
first cell is empty continues the theme above. Each theme becomes its own table body whose
theme cell spans its rows and heads them, so every format shows the grouping and HTML can
tell assistive technology which rows a theme covers.
]]

local function is_empty(cell)
  return #cell.contents == 0 or pandoc.utils.stringify(cell.contents):match("^%s*$") ~= nil
end

local function group_rows(rows)
  local groups = pandoc.List()
  for _, row in ipairs(rows) do
    if #groups > 0 and #row.cells > 1 and is_empty(row.cells[1]) then
      local group = groups[#groups]
      group.theme.row_span = group.theme.row_span + 1
      row.cells:remove(1)
      group.rows:insert(row)
    else
      groups:insert({ theme = row.cells[1], rows = pandoc.List({ row }) })
    end
  end
  return groups
end

function Table(tbl)
  if #tbl.colspecs < 2 then
    return nil
  end
  local rows = pandoc.List()
  for _, body in ipairs(tbl.bodies) do
    rows:extend(body.body)
  end
  tbl.bodies = group_rows(rows):map(function(group)
    return { attr = pandoc.Attr(), body = group.rows, head = pandoc.List(), row_head_columns = 1 }
  end)
  return tbl
end
