--[[
Typst output details the writer leaves out or gets wrong for a tagged PDF/UA-1 file:
images keep their alt text (the writer drops it); table cells that start like Typst list,
heading or term markup ("1. Core skills", "- x", "= x") are escaped, which the writer does
only for paragraphs; tables get relative column widths and a rule above each theme group;
and the colophon div uses the template's `colophon` style.
]]

local COLUMN_WIDTHS = { 0.3, 0.55, 0.15 } -- theme, sub-themes or needs, count
local STYLED_DIVS = { colophon = true }

local function typst_string(text)
  local escaped = text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("%s+", " ")
  return '"' .. escaped .. '"'
end

-- SVGs go through the template's svg-image (figures.typ), which sets their text in our font.
function Image(image)
  local alt = pandoc.utils.stringify(image.caption)
  local draw = image.src:match("%.svg$") and "#svg-image(" or "#image("
  local call = draw .. typst_string(image.src) .. ", alt: " .. typst_string(alt) .. ")"
  return pandoc.RawInline("typst", call)
end

-- Escape the first character of a cell when Typst would read it as block markup.
local function guard_cell(cell)
  local first = cell.contents[1]
  if not first or (first.t ~= "Plain" and first.t ~= "Para") then
    return
  end
  local text = first.content[1]
  if text and text.t == "Str" and text.text:match("^[%d%-%+=/]") then
    local head, rest = text.text:match("^(.)(.*)$")
    local inlines = pandoc.Inlines({ pandoc.RawInline("typst", "\\" .. head) })
    if rest ~= "" then
      inlines:insert(pandoc.Str(rest))
    end
    local content = first.content
    content:remove(1)
    first.content = inlines .. content
  end
end

local function cells(tbl)
  local found = pandoc.List()
  for _, row in ipairs(tbl.head.rows) do
    found:extend(row.cells)
  end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      found:extend(row.cells)
    end
  end
  return found
end

function Table(tbl)
  cells(tbl):map(guard_cell)
  if #tbl.colspecs == #COLUMN_WIDTHS then
    for index, spec in ipairs(tbl.colspecs) do
      tbl.colspecs[index] = { spec[1], COLUMN_WIDTHS[index] }
    end
  end
  for _, body in ipairs(tbl.bodies) do
    local first_row = body.body[1]
    for _, cell in ipairs(first_row and first_row.cells or {}) do
      cell.attributes["typst:stroke"] = "group-rule"
    end
  end
  return tbl
end

function Div(div)
  local style = div.classes:find_if(function(class) return STYLED_DIVS[class] end)
  if not style then
    return nil
  end
  local blocks = pandoc.List({ pandoc.RawBlock("typst", "#" .. style .. "[") })
  blocks:extend(div.content)
  blocks:insert(pandoc.RawBlock("typst", "]"))
  return blocks
end
