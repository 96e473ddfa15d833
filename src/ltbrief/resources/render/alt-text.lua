--[[
Alt text: Quarto writes it as `fig-alt`, Pandoc reads `alt`. Whichever is given becomes the
image's description, so every writer (HTML alt, DOCX descr, the Typst filter) sees it.
]]

function Image(image)
  local alt = image.attributes["fig-alt"]
  if alt and alt ~= "" then
    image.caption = pandoc.Inlines(alt)
  end
  image.attributes["fig-alt"] = nil
  return image
end
