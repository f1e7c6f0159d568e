# Warnings are errors everywhere (brief: "Warnings are errors").
function(larder_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wnon-virtual-dtor
    -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Checks the GUARDED_BY / REQUIRES annotations of common/thread_annotations.h.
    target_compile_options(${target} PRIVATE -Wthread-safety -Wshadow-uncaptured-local)
  else()
    # -Wrestrict: GCC 12 reports std::string concatenation at -O3 as overlapping
    # memcpy (GCC bug 105329, a false positive), so it is not an error here.
    target_compile_options(${target} PRIVATE -Wshadow=local -Wno-restrict)
  endif()
endfunction()
