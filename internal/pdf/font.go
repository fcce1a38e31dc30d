package pdf

import _ "embed"

// fontFamily is the name under which the embedded font is registered in every
// document.
const fontFamily = "wqy-microhei"

// fontTTF is WenQuanYi Micro Hei, the first face of Debian's fonts-wqy-microhei
// collection. It holds Latin letters and digits as well as CJK characters, so
// one font serves all the text of a document.
//
//go:embed fonts/wqy-microhei.ttf
var fontTTF []byte

// FontLicense is the copyright and licence text of the font embedded in every
// document (WenQuanYi Micro Hei, Apache-2.0 or GPL-3+ with font exception).
// Programs that ship the font should be able to show it.
//
//go:embed fonts/LICENSE-wqy-microhei.txt
var FontLicense string
