// Maps geobatch::Error categories onto the Python exception classes of
// geobatch._errors.
#pragma once

namespace geobatch::python {

void RegisterErrorTranslation();

}  // namespace geobatch::python
