--[[
Typst output details the writer leaves out or gets wrong for a tagged PDF/UA-1 file:
images keep their alt text (the writer drops it); tables get relative column widths and a
rule above each theme group; the colophon div uses the template's `colophon` style; and all
text is written with its ASCII punctuation escaped, so Typst prints it as it is (see `Str`).
]]

local COLUMN_WIDTHS = { 0.3, 0.55, 0.15 } -- theme, sub-themes or needs, count
local STYLED_DIVS = { colophon = true }

local function typst_string(text)
  local escaped = text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("%s+", " ")
  return '"' .. escaped .. '"'
end

-- SVGs go through the template's svg-image (figures.typ), which sets their text in our font.
local function Image(image)
  local alt = pandoc.utils.stringify(image.caption)
  local draw = image.src:match("%.svg$") and "#svg-image(" or "#image("
  local call = draw .. typst_string(image.src) .. ", alt: " .. typst_string(alt) .. ")"
  return pandoc.RawInline("typst", call)
end

local function Table(tbl)
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

local function Div(div)
  local style = div.classes:find_if(function(class) return STYLED_DIVS[class] end)
  if not style then
    return nil
  end
  local blocks = pandoc.List({ pandoc.RawBlock("typst", "#" .. style .. "[") })
  blocks:extend(div.content)
  blocks:insert(pandoc.RawBlock("typst", "]"))
  return blocks
end

-- The writer escapes only some of what Typst reads as markup: it leaves "-?" (a soft hyphen),
-- a "1." or "- " that starts a table cell (a list), and writes ’ as ', which Typst sets as a
-- prime after a digit. A backslash before each ASCII punctuation mark is always literal in
-- Typst, so every word with punctuation or a non-ASCII letter is written that way. It runs
-- after the filters above, which read image captions as plain text, and on the body only:
-- the template places metadata such as `lang` inside Typst strings.
local function Str(str)
  if not str.text:match("[%p\128-\255]") then
    return nil
  end
  return pandoc.RawInline("typst", (str.text:gsub("%p", "\\%0")))
end

local function literal_text(doc)
  doc.blocks = doc.blocks:walk({ Str = Str })
  return doc
end

return {
  { Image = Image, Table = Table, Div = Div },
  { Pandoc = literal_text },
}
