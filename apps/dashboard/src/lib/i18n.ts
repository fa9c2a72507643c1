/** Every UI string in Vietnamese (the default) and English. */
import type { UnitLevel, UnitRef } from '@motcua/metrics';
import { getContext, setContext } from 'svelte';
import type { PeriodLabel } from './live.svelte.ts';

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

const vi = {
  'app.name': 'Một Cửa Live',
  'app.tagline': 'Chỉ số Bộ phận Một cửa theo thời gian thực',
  'app.skip': 'Bỏ qua, đến nội dung chính',
  'lang.other': 'English',
  'lang.otherAria': 'Switch to English',
  'viewer.signedInAs': 'Đang xem với quyền',

  'signin.title': 'Mở bảng điều hành',
  'signin.lead':
    'Theo dõi trực tiếp mức độ hài lòng của người dân và tiến độ giải quyết hồ sơ tại Bộ phận Một cửa các cấp — số liệu cập nhật ngay khi quầy ghi nhận.',
  'signin.point1': 'Lãnh đạo quận, huyện theo dõi từng xã, phường.',
  'signin.point2': 'Sở Nội vụ so sánh các quận, huyện theo cùng một cách tính.',
  'signin.point3': 'Màn hình tại Bộ phận Một cửa tự cập nhật, không cần thao tác.',
  'signin.tokenLabel': 'Mã xem',
  'signin.tokenHint':
    'Dán mã xem do quản trị viên cấp (bắt đầu bằng mcv_). Mã được đổi thành phiên đăng nhập an toàn.',
  'signin.submit': 'Đăng nhập',
  'signin.invalid': 'Mã xem không hợp lệ, đã bị thu hồi hoặc đã hết hạn. Vui lòng kiểm tra lại.',
  'signin.admin': 'Quản trị viên tạo mã xem bằng lệnh',
  'signin.formTitle': 'Đăng nhập bằng mã xem',

  'level.city': 'Tỉnh, thành phố',
  'level.district': 'Quận, huyện',
  'level.commune': 'Xã, phường, thị trấn',
  'level.desk': 'Quầy tiếp nhận',
  'children.city': 'đơn vị trực thuộc',
  'children.district': 'xã, phường, thị trấn',
  'children.commune': 'quầy',
  'childHead.commune': 'Quầy',
  'desk.name': 'Quầy {code}',
  'kind.province': 'Tỉnh',
  'kind.municipality': 'Thành phố trực thuộc Trung ương',
  'kind.urban': 'Quận',
  'kind.rural': 'Huyện',
  'kind.town': 'Thị xã',
  'kind.provincialCity': 'Thành phố thuộc tỉnh',
  'kind.commune': 'Xã',
  'kind.ward': 'Phường',
  'kind.township': 'Thị trấn',
  'kind.specialZone': 'Đặc khu',
  'kinds.province': 'tỉnh',
  'kinds.municipality': 'thành phố',
  'kinds.urban': 'quận',
  'kinds.rural': 'huyện',
  'kinds.town': 'thị xã',
  'kinds.provincialCity': 'thành phố',
  'kinds.commune': 'xã',
  'kinds.ward': 'phường',
  'kinds.township': 'thị trấn',
  'kinds.specialZone': 'đặc khu',

  'window.label': 'Khoảng thời gian',
  'window.1h': '1 giờ qua',
  'window.today': 'Hôm nay',
  'window.7d': '7 ngày',
  'window.30d': '30 ngày',
  'window.in.1h': 'trong 1 giờ qua',
  'window.in.today': 'hôm nay',
  'window.in.7d': 'trong 7 ngày qua',
  'window.in.30d': 'trong 30 ngày qua',
  'window.month': 'Tháng này',
  'window.quarter': 'Quý này',
  'window.year': 'Năm nay',
  'window.in.month': 'trong tháng này',
  'window.in.quarter': 'trong quý này',
  'window.in.year': 'trong năm nay',
  'window.rolling': 'Khoảng thời gian gần đây',
  'window.calendar': 'Kỳ báo cáo (tháng, quý, năm)',
  'window.closed': 'Kỳ đã qua',
  'window.closedPick': 'Kỳ đã qua',

  'conn.connecting': 'Đang kết nối…',
  'conn.live': 'Trực tiếp',
  'conn.reconnecting': 'Đang kết nối lại…',
  'conn.offline': 'Mất kết nối',
  'conn.offlineFor': 'Mất kết nối · {duration}',
  'conn.unauthorized': 'Phiên đăng nhập đã hết hạn',
  'updated.at': 'Cập nhật lúc {time}',
  'stale.banner': 'Số liệu tạm dừng từ {time}: máy chủ chưa đọc được cơ sở dữ liệu. Sẽ tự cập nhật lại.',
  'stale.short': 'Số liệu tạm dừng từ {time}',

  'kpi.satisfaction': 'Mức độ hài lòng',
  'kpi.ratings': '{n} lượt đánh giá',
  'kpi.noRatings': 'chưa có đánh giá',
  'kpi.onTime': 'Giải quyết đúng hạn',
  'kpi.finished': '{n} hồ sơ đã giải quyết',
  'kpi.noFinished': 'chưa có hồ sơ giải quyết xong',
  'kpi.index766': 'Chỉ số 766 tiến độ',
  'kpi.index766Hint': 'Đúng hạn và chưa trễ trên tổng hồ sơ đã và đang giải quyết',
  'kpi.no766': 'chưa có hồ sơ',
  'kpi.avgHours': 'Thời gian xử lý trung bình',
  'kpi.avgHoursHint': 'Không tính thời gian chờ bổ sung',
  'kpi.received': 'Hồ sơ tiếp nhận',
  'kpi.open': 'Hồ sơ đang giải quyết',
  'kpi.openHint': 'Tại thời điểm cập nhật',

  'sat.very_satisfied': 'Rất hài lòng',
  'sat.satisfied': 'Hài lòng',
  'sat.unsatisfied': 'Không hài lòng',
  'outcome.early': 'Trước hạn',
  'outcome.onTime': 'Đúng hạn',
  'outcome.late': 'Trễ hạn',
  'channel.direct': 'Trực tiếp',
  'channel.online': 'Trực tuyến',
  'channel.postal': 'Bưu chính',
  'open.overdue': 'Quá hạn',
  'open.dueSoon': 'Sắp đến hạn',
  'open.dueSoonHint': 'trong 24 giờ',
  'open.waiting': 'Chờ bổ sung',

  'trend.titleIntraday': 'Diễn biến trong ngày',
  'trend.titleDaily': 'Diễn biến theo ngày',
  'trend.stepIntraday': 'Tỷ lệ lũy kế từ 0 giờ; hồ sơ tiếp nhận mỗi 15 phút',
  'trend.stepDaily': 'Tỷ lệ và hồ sơ tiếp nhận của từng ngày',
  'trend.satisfaction': 'Tỷ lệ hài lòng',
  'trend.onTime': 'Tỷ lệ đúng hạn',
  'trend.received': 'Hồ sơ tiếp nhận',
  'trend.satisfactionShort': 'Hài lòng',
  'trend.onTimeShort': 'Đúng hạn',
  'trend.receivedShort': 'Tiếp nhận',
  'trend.empty': 'Chưa có dữ liệu trong khoảng thời gian này.',
  'trend.loading': 'Đang tải diễn biến…',

  'channel.title': 'Tiếp nhận theo kênh',
  'channel.empty': 'Chưa tiếp nhận hồ sơ nào {window}.',
  'channel.total': 'hồ sơ',

  'league.title': 'Xếp hạng {children}',
  'league.caption': 'Xếp hạng {children} {window}. Bấm tiêu đề cột để sắp xếp.',
  'league.rank': 'Hạng',
  'league.name': 'Đơn vị',
  'league.satisfaction': 'Hài lòng',
  'league.n': 'Số lượt',
  'league.wilson': 'Cận dưới Wilson',
  'league.onTime': 'Đúng hạn',
  'league.index766': 'Chỉ số 766',
  'league.received': 'Tiếp nhận',
  'league.open': 'Đang giải quyết',
  'league.overdue': 'Quá hạn',
  'league.empty': 'Chưa có {children} nào có số liệu.',
  'league.sortAsc': 'tăng dần',
  'league.sortDesc': 'giảm dần',
  'league.open.aria': 'Xem {name}',
  'fair.title': 'Xếp hạng công bằng',
  'fair.body':
    'Thứ hạng dùng cận dưới của khoảng tin cậy Wilson 95 % cho tỷ lệ hài lòng, nên đơn vị có 3/3 lượt hài lòng không vượt được đơn vị có 290/300.',

  'compare.title': 'So sánh {children}',
  'compare.satisfaction': 'Hài lòng',
  'compare.onTime': 'Đúng hạn',
  'compare.intervalNote': 'Vạch ngang: khoảng tin cậy Wilson 95 %',
  'compare.empty': 'Chưa có số liệu để so sánh {window}.',
  'compare.tooltipSat': 'Hài lòng {rate} ({n} lượt) · khoảng 95 %: {low}–{high}',
  'compare.tooltipOnTime': 'Đúng hạn {rate} ({n} hồ sơ)',

  'feed.title': 'Biến động đáng chú ý',
  'feed.hint': 'Hài lòng dưới 80 %, đúng hạn dưới 90 % hoặc thêm hồ sơ quá hạn',
  'feed.empty': 'Chưa có biến động đáng chú ý kể từ khi mở trang.',
  'feed.satDrop': 'Hài lòng giảm xuống {to} (trước đó {from})',
  'feed.satRecover': 'Hài lòng trở lại {to} (trước đó {from})',
  'feed.onTimeDrop': 'Đúng hạn giảm xuống {to} (trước đó {from})',
  'feed.onTimeRecover': 'Đúng hạn trở lại {to} (trước đó {from})',
  'feed.overdueUp': 'Thêm {delta} hồ sơ quá hạn, tổng {total}',
  'attention.title': 'Đang dưới ngưỡng',
  'attention.none': 'Không có đơn vị nào dưới ngưỡng {window}.',
  'attention.sat': 'hài lòng {rate}',
  'attention.onTime': 'đúng hạn {rate}',
  'attention.more': 'và {n} đơn vị khác dưới ngưỡng: xem bảng xếp hạng',

  'overdue.title': 'Hồ sơ quá hạn',
  'overdue.summary': '{n} hồ sơ đang quá hạn',
  'overdue.shown': 'Hiển thị {shown} hồ sơ quá hạn lâu nhất trên tổng {total}.',
  'overdue.empty': 'Không có hồ sơ nào quá hạn.',
  'overdue.code': 'Mã hồ sơ',
  'overdue.unit': 'Đơn vị',
  'overdue.received': 'Tiếp nhận',
  'overdue.deadline': 'Hạn trả',
  'overdue.reason': 'Lý do',
  'overdue.reason.late': 'Quá hạn trả kết quả',
  'overdue.reason.supplements': 'Yêu cầu bổ sung từ 2 lần',
  'overdue.reason.rescheduled': 'Đã xin lỗi, hẹn lại',
  'overdue.late': 'trễ {duration}',

  'heatmap.title': 'Hài lòng theo giờ trong tuần',
  'heatmap.sub': '30 ngày qua, theo giờ Việt Nam',
  'heatmap.empty': 'Chưa có đánh giá trong 30 ngày qua.',
  'heatmap.tooltip': '{day}, {hour}:00–{hour}:59 · hài lòng {rate} · {n} lượt',
  'heatmap.tooltipNone': '{day}, {hour}:00–{hour}:59 · chưa có đánh giá',
  'heatmap.low': 'Thấp',
  'heatmap.high': 'Cao',

  'weekday.0': 'Thứ Hai',
  'weekday.1': 'Thứ Ba',
  'weekday.2': 'Thứ Tư',
  'weekday.3': 'Thứ Năm',
  'weekday.4': 'Thứ Sáu',
  'weekday.5': 'Thứ Bảy',
  'weekday.6': 'Chủ Nhật',
  'weekdayShort.0': 'T2',
  'weekdayShort.1': 'T3',
  'weekdayShort.2': 'T4',
  'weekdayShort.3': 'T5',
  'weekdayShort.4': 'T6',
  'weekdayShort.5': 'T7',
  'weekdayShort.6': 'CN',

  'ratings.title': 'Đánh giá mới nhất',
  'ratings.empty': 'Chưa có đánh giá nào.',
  'ratings.dossier': 'Hồ sơ {code}',
  'ratings.noDossier': 'Không gắn hồ sơ',
  'criteria.time': 'Thời gian',
  'criteria.attitude': 'Thái độ',
  'criteria.guidance': 'Hướng dẫn',
  'criteria.visits': 'Số lần đi lại',
  'criteria.transparency': 'Công khai, minh bạch',

  'score.title': 'Chỉ số phục vụ 766',
  'score.sub': 'Điểm theo Quyết định 766/QĐ-TTg {window}',
  'score.total': 'Tổng điểm',
  'score.outOf': 'trên {max} điểm tính được tại đây',
  'score.noData': 'Chưa có hồ sơ hay phản ánh nào {window}: chưa có điểm.',
  'score.fullScale': 'Thang điểm đầy đủ: {full} điểm; {missing} điểm không đo được từ dữ liệu quầy.',
  'score.groupsTitle': 'Năm nhóm tiêu chí',
  'score.criteriaTitle': 'Các tiêu chí thành phần',
  'score.group': 'Nhóm {code}',
  'score.groupOf': '{points} / {max} điểm',
  'score.groupNone': 'không đo được',
  'score.groupMax': 'tối đa {max} điểm',
  'score.legendGot': 'điểm đạt',
  'score.legendLost': 'điểm bị trừ',
  'score.code': 'Mã',
  'score.criterion': 'Tiêu chí',
  'score.numden': 'Tử số / mẫu số',
  'score.rate': 'Tỷ lệ',
  'score.points': 'Điểm',
  'score.max': 'Tối đa',
  'score.external': 'Không đo được từ dữ liệu quầy',
  'score.notReported': 'Chưa đo được',
  'score.notScored': 'không tính điểm',
  'score.days': '{n} ngày',
  'score.linear': 'điểm tỷ lệ thuận',
  'score.fullAt': 'đủ điểm từ {pct}',
  'score.caption': 'Các tiêu chí thành phần của nhóm {code} {window}',
  'score.caveat':
    'Công thức được dựng lại từ số liệu Cổng Dịch vụ công quốc gia công bố và một tài liệu không chính thức, không phải từ văn bản pháp lý; điểm ở đây có thể khác điểm chính thức.',
  'score.csvTitle': 'Tải bảng điểm 766 ({window}) dạng CSV, mở được bằng Excel',
  'score.loadError': 'Không tải được bảng điểm 766. Trang sẽ thử lại khi có cập nhật mới.',
  'risk.title': 'Điểm đã mất và có nguy cơ mất',
  'risk.sub': 'Hồ sơ và phản ánh, kiến nghị đang mở, tính trên kỳ đang xem',
  'risk.lost': 'Đã mất',
  'risk.lostHint': 'đã quá hạn',
  'risk.24h': 'Trong 24 giờ tới',
  'risk.48h': 'Trong 48 giờ tới',
  'risk.dueHint': 'nếu trễ hạn',
  'risk.points': '{n} điểm',
  'risk.items': '{d} hồ sơ · {p} phản ánh',
  'risk.groups': 'Nhóm 2: {g2} · Nhóm 5: {g5}',
  'risk.closed': 'Kỳ đã kết thúc: không còn điểm nào thay đổi được.',
  'trend766.title': 'Tổng điểm 766 theo tháng',
  'trend766.sub': '12 tháng gần nhất; “—”: chưa có dữ liệu',
  'trend766.month': 'T{m}',
  'trend766.aria': '{month}: {points} trên {max} điểm',
  'trend766.none': '{month}: chưa có dữ liệu',
  'league766.title': 'Xếp hạng 766 các {children}',
  'league766.sub': '{window} · theo tổng điểm tính được',
  'league766.vs': 'thay đổi so với {period}',
  'league766.noChange': 'Chọn tháng, quý hoặc năm để xem thay đổi thứ hạng so với kỳ trước.',
  'league766.rank': 'Hạng',
  'league766.change': 'Thay đổi',
  'league766.points': 'Điểm',
  'league766.groupHead': 'N{code}',
  'league766.finished': 'Đã giải quyết',
  'league766.received': 'Tiếp nhận',
  'league766.up': 'lên {n} bậc',
  'league766.down': 'xuống {n} bậc',
  'league766.same': 'giữ hạng',
  'league766.new': 'mới',
  'league766.newAria': 'không có hạng kỳ trước',
  'league766.caption': 'Xếp hạng 766 các {children} {window}',
  'league766.empty': 'Chưa có đơn vị nào.',
  'league766.sampleNote':
    'Hai cột cuối là cỡ mẫu: số hồ sơ đã giải quyết và đã tiếp nhận trong kỳ. Cỡ mẫu nhỏ thì điểm dễ dao động.',
  'export.csv': 'Tải CSV',
  'export.csvTitle': 'Tải bảng {children} ({window}) dạng CSV, mở được bằng Excel',
  'breadcrumb.label': 'Vị trí',
  'unit.deskOf': 'Quầy tiếp nhận thuộc {name}',
  'unit.loadError': 'Không tải được một phần số liệu. Trang sẽ thử lại khi có cập nhật mới.',

  'error.title': 'Không mở được trang',
  'error.401': 'Bạn cần đăng nhập bằng mã xem để xem trang này.',
  'error.403': 'Mã xem của bạn không có quyền xem đơn vị này.',
  'error.404': 'Không tìm thấy trang hoặc đơn vị này.',
  'error.503': 'Máy chủ tạm thời chưa đọc được cơ sở dữ liệu. Vui lòng thử lại sau ít phút.',
  'error.other': 'Đã có lỗi xảy ra. Vui lòng thử lại.',
  'error.home': 'Về trang chính',
  'error.request': 'Mã yêu cầu',

  'display.overview': 'Tổng quan',
  'display.league': 'Xếp hạng {children}',
  'display.curve': 'Diễn biến trong ngày',
  'display.curveDaily': 'Diễn biến theo ngày',
  'display.satisfaction': 'Hài lòng',
  'display.onTime': 'Đúng hạn',
  'display.received': 'Tiếp nhận',
  'display.overdue': 'Quá hạn',
  'display.ratingsN': '{n} lượt đánh giá',
  'display.finishedN': '{n} hồ sơ đã giải quyết',
  'display.openN': '{n} hồ sơ đang giải quyết',
  'display.dueSoonN': '{n} sắp đến hạn',
  'display.online': '{n} trực tuyến',
  'display.topOf': '{shown}/{total} đơn vị',
  'display.belongsTo': 'thuộc {name}',
  'display.step': '{i}/{n}',
  'display.offlineSince': 'Mất kết nối từ {time}',
  'display.offlineAge': 'Số liệu lúc {time}, cách đây {age}. Màn hình sẽ tự cập nhật khi có mạng trở lại.',
  'display.revokedTitle': 'Liên kết màn hình này đã bị thu hồi',
  'display.revokedBody':
    'Màn hình không còn được phép hiển thị số liệu. Xin liên hệ quản trị viên để được cấp liên kết mới.',
  'display.fairLegend':
    'Xếp theo cận dưới Wilson 95 %: đơn vị ít lượt đánh giá (số nhỏ) đứng sau đơn vị nhiều lượt có tỷ lệ gần bằng.',
  'display.score766': 'Chỉ số 766 · {period}',
  'display.score766Title': 'Chỉ số 766',
  'display.scoreOf': 'trên {max} điểm tính được',
  'display.scoreUp': '▲ {n} điểm so với {period}',
  'display.scoreDown': '▼ {n} điểm so với {period}',
  'display.scoreSame': '= bằng {period}',
  'display.scorePrevNone': '{period}: chưa có dữ liệu',
  'display.scorePrevScale': '{period}: {points} / {max} điểm',
  // Issue 15: meeting reports (print view, Excel, PDF).
  'print.button': 'In',
  'print.landscape': 'Khổ ngang',
  'print.portraitTitle': 'In trang này khổ A4 dọc (hoặc lưu thành PDF từ hộp thoại in)',
  'print.landscapeTitle': 'In trang này khổ A4 ngang',
  'print.report': 'Báo cáo',
  'print.period': 'Kỳ báo cáo',
  'print.asOf': 'Số liệu đến',
  'print.page': 'Trang',
  'report.xlsx': 'Excel',
  'report.xlsxTitle':
    'Tải báo cáo Excel ({window}): tổng hợp, đơn vị trực thuộc, hồ sơ quá hạn, Bộ chỉ số 766',
  'report.pdf': 'PDF',
  'report.pdfTitle': 'Tải báo cáo PDF ({window}) do máy chủ in',
  'report.digests': 'Báo cáo định kỳ',
  'report.digestsTitle': 'Đăng ký nhận báo cáo tuần/tháng qua thư điện tử',
  'digest.title': 'Báo cáo định kỳ qua thư điện tử',
  'digest.lead':
    'Báo cáo tuần gửi lúc 7:30 sáng thứ Hai (tuần trước), báo cáo tháng lúc 7:30 ngày mùng 1 (tháng trước), giờ Việt Nam. Mỗi kỳ gửi đúng một lần.',
  'digest.noMail':
    'Máy chủ chưa cấu hình gửi thư (MOTCUA_SMTP_URL, MOTCUA_MAIL_FROM, MOTCUA_REPORT_SECRET): đăng ký được lưu nhưng chưa có thư nào đi.',
  'digest.new': 'Đăng ký mới',
  'digest.email': 'Thư điện tử người nhận',
  'digest.unit': 'Đơn vị',
  'digest.period': 'Định kỳ',
  'digest.format': 'Tệp đính kèm',
  'digest.weekly': 'Hằng tuần',
  'digest.monthly': 'Hằng tháng',
  'digest.both': 'Excel và PDF',
  'digest.subscribe': 'Đăng ký',
  'digest.added': 'Đã đăng ký cho {email}.',
  'digest.list': 'Đang nhận báo cáo',
  'digest.count': '{n} đăng ký',
  'digest.empty': 'Chưa có đăng ký nào trong phạm vi của bạn.',
  'digest.remove': 'Hủy',
  'digest.unsubTitle': 'Hủy nhận báo cáo',
  'digest.unsubBad': 'Liên kết không hợp lệ hoặc đã hết hiệu lực.',
  'digest.unsubAsk': 'Ngừng gửi báo cáo {period} của {unit} tới {email}?',
  'digest.unsubButton': 'Hủy nhận',
  'digest.unsubDone': '{email} sẽ không nhận báo cáo của {unit} nữa.',
} as const;

export type MessageKey = keyof typeof vi;

const en: Record<MessageKey, string> = {
  'app.name': 'Một Cửa Live',
  'app.tagline': 'One-stop service desk performance, live',
  'app.skip': 'Skip to main content',
  'lang.other': 'Tiếng Việt',
  'lang.otherAria': 'Chuyển sang tiếng Việt',
  'viewer.signedInAs': 'Signed in as',

  'signin.title': 'Open the dashboard',
  'signin.lead':
    "Watch citizens' satisfaction and dossier processing times at one-stop service desks live — numbers update as soon as a desk records them.",
  'signin.point1': 'District leaders follow each of their communes.',
  'signin.point2': 'The Department of Home Affairs compares districts on the same definitions.',
  'signin.point3': 'Wall screens at one-stop centres update by themselves.',
  'signin.tokenLabel': 'Viewer token',
  'signin.tokenHint':
    'Paste the viewer token from your administrator (it starts with mcv_). It is exchanged for a secure session.',
  'signin.submit': 'Sign in',
  'signin.invalid': 'This viewer token is not valid, was revoked or has expired. Please check it.',
  'signin.admin': 'Administrators create viewer tokens with',
  'signin.formTitle': 'Sign in with a viewer token',

  'level.city': 'City / province',
  'level.district': 'District',
  'level.commune': 'Commune, ward or township',
  'level.desk': 'Service desk',
  'children.city': 'units below',
  'children.district': 'communes, wards and townships',
  'children.commune': 'desks',
  'childHead.commune': 'Desk',
  'desk.name': 'Desk {code}',
  'kind.province': 'Province',
  'kind.municipality': 'Centrally governed city',
  'kind.urban': 'Urban district',
  'kind.rural': 'Rural district',
  'kind.town': 'Town',
  'kind.provincialCity': 'Provincial city',
  'kind.commune': 'Commune',
  'kind.ward': 'Ward',
  'kind.township': 'Township',
  'kind.specialZone': 'Special zone',
  'kinds.province': 'provinces',
  'kinds.municipality': 'cities',
  'kinds.urban': 'urban districts',
  'kinds.rural': 'rural districts',
  'kinds.town': 'towns',
  'kinds.provincialCity': 'cities',
  'kinds.commune': 'communes',
  'kinds.ward': 'wards',
  'kinds.township': 'townships',
  'kinds.specialZone': 'special zones',

  'window.label': 'Time window',
  'window.1h': 'Last hour',
  'window.today': 'Today',
  'window.7d': '7 days',
  'window.30d': '30 days',
  'window.in.1h': 'in the last hour',
  'window.in.today': 'today',
  'window.in.7d': 'in the last 7 days',
  'window.in.30d': 'in the last 30 days',
  'window.month': 'This month',
  'window.quarter': 'This quarter',
  'window.year': 'This year',
  'window.in.month': 'this month',
  'window.in.quarter': 'this quarter',
  'window.in.year': 'this year',
  'window.rolling': 'Recent time windows',
  'window.calendar': 'Reporting periods (month, quarter, year)',
  'window.closed': 'Past periods',
  'window.closedPick': 'Past periods',

  'conn.connecting': 'Connecting…',
  'conn.live': 'Live',
  'conn.reconnecting': 'Reconnecting…',
  'conn.offline': 'Connection lost',
  'conn.offlineFor': 'Connection lost · {duration}',
  'conn.unauthorized': 'Session expired',
  'updated.at': 'Updated at {time}',
  'stale.banner':
    'Numbers paused since {time}: the server cannot read its database. They will resume by themselves.',
  'stale.short': 'Numbers paused since {time}',

  'kpi.satisfaction': 'Satisfaction',
  'kpi.ratings': '{n} ratings',
  'kpi.noRatings': 'no ratings yet',
  'kpi.onTime': 'Resolved on time',
  'kpi.finished': '{n} dossiers finished',
  'kpi.noFinished': 'no dossier finished yet',
  'kpi.index766': 'Index 766 progress',
  'kpi.index766Hint': 'On time and not yet late, over all finished and open dossiers',
  'kpi.no766': 'no dossiers yet',
  'kpi.avgHours': 'Average processing time',
  'kpi.avgHoursHint': 'Excluding time waiting for supplements',
  'kpi.received': 'Dossiers received',
  'kpi.open': 'Dossiers in progress',
  'kpi.openHint': 'At the time of the update',

  'sat.very_satisfied': 'Very satisfied',
  'sat.satisfied': 'Satisfied',
  'sat.unsatisfied': 'Unsatisfied',
  'outcome.early': 'Early',
  'outcome.onTime': 'On time',
  'outcome.late': 'Late',
  'channel.direct': 'In person',
  'channel.online': 'Online',
  'channel.postal': 'By post',
  'open.overdue': 'Overdue',
  'open.dueSoon': 'Due soon',
  'open.dueSoonHint': 'within 24 h',
  'open.waiting': 'Awaiting supplements',

  'trend.titleIntraday': 'Through the day',
  'trend.titleDaily': 'Day by day',
  'trend.stepIntraday': 'Rates cumulative since midnight; dossiers received per 15 minutes',
  'trend.stepDaily': "Each day's rates and dossiers received",
  'trend.satisfaction': 'Satisfaction rate',
  'trend.onTime': 'On-time rate',
  'trend.received': 'Dossiers received',
  'trend.satisfactionShort': 'Satisfaction',
  'trend.onTimeShort': 'On time',
  'trend.receivedShort': 'Received',
  'trend.empty': 'No data yet in this time window.',
  'trend.loading': 'Loading the trend…',

  'channel.title': 'Received by channel',
  'channel.empty': 'No dossiers received {window}.',
  'channel.total': 'dossiers',

  'league.title': 'League of {children}',
  'league.caption': 'League of {children} {window}. Click a column header to sort.',
  'league.rank': 'Rank',
  'league.name': 'Unit',
  'league.satisfaction': 'Satisfaction',
  'league.n': 'Ratings',
  'league.wilson': 'Wilson lower bound',
  'league.onTime': 'On time',
  'league.index766': 'Index 766',
  'league.received': 'Received',
  'league.open': 'In progress',
  'league.overdue': 'Overdue',
  'league.empty': 'No {children} with numbers yet.',
  'league.sortAsc': 'ascending',
  'league.sortDesc': 'descending',
  'league.open.aria': 'Open {name}',
  'fair.title': 'Fair ranking',
  'fair.body':
    'Ranks use the lower bound of the 95% Wilson confidence interval of the satisfaction rate, so a unit with 3 of 3 satisfied does not beat one with 290 of 300.',

  'compare.title': 'Comparing {children}',
  'compare.satisfaction': 'Satisfaction',
  'compare.onTime': 'On time',
  'compare.intervalNote': 'Whiskers: 95% Wilson interval',
  'compare.empty': 'Nothing to compare {window} yet.',
  'compare.tooltipSat': 'Satisfaction {rate} ({n} ratings) · 95% interval: {low}–{high}',
  'compare.tooltipOnTime': 'On time {rate} ({n} dossiers)',

  'feed.title': 'Notable changes',
  'feed.hint': 'Satisfaction below 80%, on-time below 90% or more overdue dossiers',
  'feed.empty': 'No notable changes since this page was opened.',
  'feed.satDrop': 'Satisfaction fell to {to} (was {from})',
  'feed.satRecover': 'Satisfaction back to {to} (was {from})',
  'feed.onTimeDrop': 'On-time rate fell to {to} (was {from})',
  'feed.onTimeRecover': 'On-time rate back to {to} (was {from})',
  'feed.overdueUp': '{delta} more overdue dossiers, {total} in all',
  'attention.title': 'Below the thresholds now',
  'attention.none': 'No unit is below the thresholds {window}.',
  'attention.sat': 'satisfaction {rate}',
  'attention.onTime': 'on time {rate}',
  'attention.more': 'and {n} more below the thresholds: see the league',

  'overdue.title': 'Overdue dossiers',
  'overdue.summary': '{n} dossiers overdue',
  'overdue.shown': 'Showing the {shown} longest overdue of {total}.',
  'overdue.empty': 'No dossier is overdue.',
  'overdue.code': 'Dossier',
  'overdue.unit': 'Unit',
  'overdue.received': 'Received',
  'overdue.deadline': 'Deadline',
  'overdue.reason': 'Reason',
  'overdue.reason.late': 'Past its deadline',
  'overdue.reason.supplements': 'Supplements requested twice or more',
  'overdue.reason.rescheduled': 'Apology slip, rescheduled',
  'overdue.late': '{duration} late',

  'heatmap.title': 'Satisfaction by hour of the week',
  'heatmap.sub': 'Last 30 days, Vietnam time',
  'heatmap.empty': 'No ratings in the last 30 days.',
  'heatmap.tooltip': '{day}, {hour}:00–{hour}:59 · satisfaction {rate} · {n} ratings',
  'heatmap.tooltipNone': '{day}, {hour}:00–{hour}:59 · no ratings',
  'heatmap.low': 'Low',
  'heatmap.high': 'High',

  'weekday.0': 'Monday',
  'weekday.1': 'Tuesday',
  'weekday.2': 'Wednesday',
  'weekday.3': 'Thursday',
  'weekday.4': 'Friday',
  'weekday.5': 'Saturday',
  'weekday.6': 'Sunday',
  'weekdayShort.0': 'Mon',
  'weekdayShort.1': 'Tue',
  'weekdayShort.2': 'Wed',
  'weekdayShort.3': 'Thu',
  'weekdayShort.4': 'Fri',
  'weekdayShort.5': 'Sat',
  'weekdayShort.6': 'Sun',

  'ratings.title': 'Latest ratings',
  'ratings.empty': 'No ratings yet.',
  'ratings.dossier': 'Dossier {code}',
  'ratings.noDossier': 'No dossier',
  'criteria.time': 'Time',
  'criteria.attitude': 'Attitude',
  'criteria.guidance': 'Guidance',
  'criteria.visits': 'Number of visits',
  'criteria.transparency': 'Transparency',

  'score.title': 'Service index 766',
  'score.sub': 'Points under Decision 766/QĐ-TTg {window}',
  'score.total': 'Total points',
  'score.outOf': 'of the {max} points computable here',
  'score.noData': 'No dossier or petition {window}: no points yet.',
  'score.fullScale': 'Full scale: {full} points; {missing} points cannot be measured from desk data.',
  'score.groupsTitle': 'The five groups',
  'score.criteriaTitle': 'Sub-criteria',
  'score.group': 'Group {code}',
  'score.groupOf': '{points} / {max} points',
  'score.groupNone': 'not measured',
  'score.groupMax': 'up to {max} points',
  'score.legendGot': 'points earned',
  'score.legendLost': 'points lost',
  'score.code': 'Code',
  'score.criterion': 'Sub-criterion',
  'score.numden': 'Numerator / denominator',
  'score.rate': 'Rate',
  'score.points': 'Points',
  'score.max': 'Max',
  'score.external': 'Not measured from desk data',
  'score.notReported': 'Not measured',
  'score.notScored': 'not scored',
  'score.days': '{n} days',
  'score.linear': 'points in proportion',
  'score.fullAt': 'full points from {pct}',
  'score.caption': 'Sub-criteria of group {code} {window}',
  'score.caveat':
    "The formulas are reconstructed from the national public service portal's published data and an unofficial document, not from a legal text; these points may differ from the official ones.",
  'score.csvTitle': 'Download the 766 scorecard ({window}) as CSV for Excel',
  'score.loadError': 'The 766 scorecard could not be loaded. The page will retry on the next update.',
  'risk.title': 'Points lost and at risk',
  'risk.sub': 'Open dossiers and petitions, counted on the window shown',
  'risk.lost': 'Lost now',
  'risk.lostHint': 'already overdue',
  'risk.24h': 'Within 24 h',
  'risk.48h': 'Within 48 h',
  'risk.dueHint': 'if they go late',
  'risk.points': '{n} points',
  'risk.items': '{d} dossiers · {p} petitions',
  'risk.groups': 'Group 2: {g2} · Group 5: {g5}',
  'risk.closed': 'The period has ended: no point can change any more.',
  'trend766.title': '766 points by month',
  'trend766.sub': 'Last 12 months; “—”: no data',
  'trend766.month': '{mon}',
  'trend766.aria': '{month}: {points} of {max} points',
  'trend766.none': '{month}: no data',
  'league766.title': '766 league of {children}',
  'league766.sub': '{window} · by total computable points',
  'league766.vs': 'change against {period}',
  'league766.noChange': 'Choose a month, quarter or year to see the rank change against the previous period.',
  'league766.rank': 'Rank',
  'league766.change': 'Change',
  'league766.points': 'Points',
  'league766.groupHead': 'G{code}',
  'league766.finished': 'Finished',
  'league766.received': 'Received',
  'league766.up': 'up {n}',
  'league766.down': 'down {n}',
  'league766.same': 'unchanged',
  'league766.new': 'new',
  'league766.newAria': 'no rank in the previous period',
  'league766.caption': '766 league of {children} {window}',
  'league766.empty': 'No units yet.',
  'league766.sampleNote':
    'The last two columns are the sample sizes: dossiers finished and received in the window. Small samples make points swing.',
  'export.csv': 'Download CSV',
  'export.csvTitle': 'Download the {children} table ({window}) as CSV for Excel',
  'breadcrumb.label': 'Breadcrumb',
  'unit.deskOf': 'Service desk of {name}',
  'unit.loadError': 'Part of the numbers could not be loaded. The page will retry on the next update.',

  'error.title': 'This page could not be opened',
  'error.401': 'Sign in with a viewer token to see this page.',
  'error.403': 'Your viewer token does not cover this unit.',
  'error.404': 'This page or unit does not exist.',
  'error.503': 'The server cannot read its database right now. Please try again in a few minutes.',
  'error.other': 'Something went wrong. Please try again.',
  'error.home': 'Back to the start page',
  'error.request': 'Request id',

  'display.overview': 'Overview',
  'display.league': 'League of {children}',
  'display.curve': 'Through the day',
  'display.curveDaily': 'Day by day',
  'display.satisfaction': 'Satisfaction',
  'display.onTime': 'On time',
  'display.received': 'Received',
  'display.overdue': 'Overdue',
  'display.ratingsN': '{n} ratings',
  'display.finishedN': '{n} dossiers finished',
  'display.openN': '{n} dossiers in progress',
  'display.dueSoonN': '{n} due soon',
  'display.online': '{n} online',
  'display.topOf': '{shown} of {total} units',
  'display.belongsTo': 'in {name}',
  'display.step': '{i}/{n}',
  'display.offlineSince': 'Connection lost since {time}',
  'display.offlineAge':
    'Numbers as of {time}, {age} ago. The screen will update by itself when the network is back.',
  'display.revokedTitle': 'This screen’s link has been revoked',
  'display.revokedBody':
    'The screen may no longer show the numbers. Please ask your administrator for a new link.',
  'display.fairLegend':
    'Ranked by the 95% Wilson lower bound: a unit with few ratings (small figure) ranks below one with many at a similar rate.',
  'display.score766': 'Index 766 · {period}',
  'display.score766Title': 'Index 766',
  'display.scoreOf': 'of {max} computable points',
  'display.scoreUp': '▲ {n} points on {period}',
  'display.scoreDown': '▼ {n} points on {period}',
  'display.scoreSame': '= same as {period}',
  'display.scorePrevNone': '{period}: no data',
  'display.scorePrevScale': '{period}: {points} / {max} points',
  // Issue 15: meeting reports (print view, Excel, PDF).
  'print.button': 'Print',
  'print.landscape': 'Landscape',
  'print.portraitTitle': 'Print this page on A4 portrait (or save it as PDF from the print dialog)',
  'print.landscapeTitle': 'Print this page on A4 landscape',
  'print.report': 'Report',
  'print.period': 'Period',
  'print.asOf': 'Figures as of',
  'print.page': 'Page',
  'report.xlsx': 'Excel',
  'report.xlsxTitle':
    'Download the Excel report ({window}): summary, children, overdue dossiers, 766 scorecard',
  'report.pdf': 'PDF',
  'report.pdfTitle': 'Download the PDF report ({window}) printed by the server',
  'report.digests': 'Scheduled reports',
  'report.digestsTitle': 'Subscribe to weekly/monthly reports by e-mail',
  'digest.title': 'Scheduled reports by e-mail',
  'digest.lead':
    'Weekly reports go out at 07:30 on Monday (the week before), monthly ones at 07:30 on the 1st (the month before), Vietnam time. Each period is sent exactly once.',
  'digest.noMail':
    'The server has no mail settings (MOTCUA_SMTP_URL, MOTCUA_MAIL_FROM, MOTCUA_REPORT_SECRET): subscriptions are kept but no mail goes out yet.',
  'digest.new': 'New subscription',
  'digest.email': 'Recipient e-mail',
  'digest.unit': 'Unit',
  'digest.period': 'Every',
  'digest.format': 'Attachments',
  'digest.weekly': 'Week',
  'digest.monthly': 'Month',
  'digest.both': 'Excel and PDF',
  'digest.subscribe': 'Subscribe',
  'digest.added': 'Subscribed {email}.',
  'digest.list': 'Receiving reports',
  'digest.count': '{n} subscriptions',
  'digest.empty': 'No subscriptions in your unit yet.',
  'digest.remove': 'Remove',
  'digest.unsubTitle': 'Unsubscribe',
  'digest.unsubBad': 'This link is not valid or no longer works.',
  'digest.unsubAsk': 'Stop sending the {period} report of {unit} to {email}?',
  'digest.unsubButton': 'Unsubscribe',
  'digest.unsubDone': '{email} will no longer receive reports of {unit}.',
};

const DICTS: Record<Lang, Record<MessageKey, string>> = { vi, en };

export type Params = Record<string, string | number>;
/** A window named by a period's label (`window.2026-10`, `window.in.2026-Q3`): worded from the label. */
export type PeriodKey = `window.${PeriodLabel}` | `window.in.${PeriodLabel}`;
export type Translate = (key: MessageKey | PeriodKey, params?: Params) => string;

const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ROMAN = ['I', 'II', 'III', 'IV'];

/**
 * A period's name from its label, as each language writes it: `Tháng 10/2026`, `Quý III/2026`,
 * `Năm 2026`; `October 2026`, `Q3 2026`, `2026`. `inline` is the name within a sentence
 * (`tháng 10/2026`), `inside` the phrase after a verb (`trong tháng 10/2026`, `in October 2026`).
 */
export function periodName(label: string, lang: Lang, form: 'title' | 'inline' | 'inside' = 'title'): string {
  const [year, part = ''] = label.split('-');
  const vi = lang === 'vi';
  let name: string;
  if (part.startsWith('Q')) {
    const q = Number(part.slice(1));
    name = vi ? `quý ${ROMAN[q - 1]}/${year}` : `Q${q} ${year}`;
  } else if (part) {
    const m = Number(part);
    name = vi ? `tháng ${m}/${year}` : `${MONTHS_EN[m - 1]} ${year}`;
  } else {
    name = vi ? `năm ${year}` : year;
  }
  if (form === 'inside') return vi ? `trong ${name}` : `in ${name}`;
  if (form === 'inline') return name;
  return name.charAt(0).toLocaleUpperCase(lang) + name.slice(1);
}

/** A language from anything (URL param, cookie, load data); Vietnamese unless it is `en`. */
export function toLang(x: unknown): Lang {
  return x === 'en' ? 'en' : 'vi';
}

const translators = new Map<Lang, Translate>();

/** The translate function of a language: `t('kpi.ratings', { n: '1.204' })`. */
export function translator(lang: Lang): Translate {
  let t = translators.get(lang);
  if (!t) {
    t = makeTranslator(lang);
    translators.set(lang, t);
  }
  return t;
}

function makeTranslator(lang: Lang): Translate {
  const dict = DICTS[lang];
  return (key, params) => {
    if (!(key in vi) && key.startsWith('window.')) {
      const inside = key.startsWith('window.in.');
      return periodName(
        key.slice(inside ? 'window.in.'.length : 'window.'.length),
        lang,
        inside ? 'inside' : 'title',
      );
    }
    const text = dict[key as MessageKey] ?? vi[key as MessageKey] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };
}

/** The display name of a unit; desks are named by their code (`Q01`), shown as `Quầy Q01`. */
export function unitName(unit: Pick<UnitRef, 'name' | 'level'>, t: Translate): string {
  return unit.level === 'desk' ? t('desk.name', { code: unit.name }) : unit.name;
}

/** The kinds of administrative unit, told apart by how their official names begin. */
export type UnitKind =
  | 'province'
  | 'municipality'
  | 'urban'
  | 'rural'
  | 'town'
  | 'provincialCity'
  | 'commune'
  | 'ward'
  | 'township'
  | 'specialZone';

/** In the order the official texts list them: `quận, huyện, thị xã, thành phố`; `xã, phường, thị trấn`. */
const KIND_ORDER: readonly UnitKind[] = [
  'province',
  'municipality',
  'urban',
  'rural',
  'town',
  'provincialCity',
  'commune',
  'ward',
  'township',
  'specialZone',
];

// Longer prefixes first: `Thị trấn` and `Thị xã` before nothing shorter that could match them.
const PREFIXES: readonly [string, (level: UnitLevel) => UnitKind][] = [
  ['thành phố ', (level) => (level === 'city' ? 'municipality' : 'provincialCity')],
  ['thị trấn ', () => 'township'],
  ['thị xã ', () => 'town'],
  ['đặc khu ', () => 'specialZone'],
  ['phường ', () => 'ward'],
  ['quận ', () => 'urban'],
  ['huyện ', () => 'rural'],
  ['tỉnh ', () => 'province'],
  ['xã ', () => 'commune'],
];

/** The kind of a unit and the length of the prefix that says so; null if none is known. */
function kindPrefix(unit: Pick<UnitRef, 'name' | 'level'>): { kind: UnitKind; length: number } | null {
  if (unit.level === 'desk') return null;
  const name = unit.name.normalize('NFC').toLocaleLowerCase('vi');
  for (const [prefix, kind] of PREFIXES) {
    if (name.startsWith(prefix)) return { kind: kind(unit.level), length: prefix.length };
  }
  return null;
}

/**
 * The kind of a unit from its own name (`Thị trấn Phùng` is a thị trấn, whatever its level);
 * null for a desk or a name without a known prefix.
 */
export function unitKind(unit: Pick<UnitRef, 'name' | 'level'>): UnitKind | null {
  return kindPrefix(unit)?.kind ?? null;
}

const ABBREVIATIONS: Partial<Record<UnitKind, string>> = {
  municipality: 'TP.',
  provincialCity: 'TP.',
  urban: 'Q.',
  rural: 'H.',
  town: 'TX.',
  commune: 'X.',
  ward: 'P.',
  township: 'TT.',
};

/**
 * A unit's name with its kind abbreviated as official tables do (`TT. Phùng`, `P. Phúc Xá`),
 * for narrow columns; the kind stays, since `Xã Sóc Sơn` and `Thị trấn Sóc Sơn` both exist.
 */
export function unitShortName(unit: Pick<UnitRef, 'name' | 'level'>, t: Translate): string {
  const found = kindPrefix(unit);
  const abbr = found ? ABBREVIATIONS[found.kind] : undefined;
  if (!found || !abbr) return unitName(unit, t);
  return `${abbr} ${unit.name.normalize('NFC').slice(found.length)}`;
}

/** What a unit is, for the line under its name: `Thị trấn`, `Quận`, `Tỉnh`, `Quầy tiếp nhận`. */
export function unitLevelLabel(unit: Pick<UnitRef, 'name' | 'level'>, t: Translate): string {
  const kind = unitKind(unit);
  return kind ? t(`kind.${kind}`) : t(`level.${unit.level}`);
}

/**
 * The plural noun for a unit's children, from the kinds they are: `xã, thị trấn` under a huyện,
 * `xã, phường, đặc khu` under a province of the 2025 tree, `quầy` under a commune.
 */
export function childrenNoun(
  level: UnitLevel,
  children: readonly Pick<UnitRef, 'name' | 'level'>[],
  t: Translate,
): string {
  if (level === 'desk') return '';
  if (level === 'commune') return t('children.commune');
  const kinds = new Set(children.map(unitKind));
  if (kinds.size === 0 || kinds.has(null)) return t(`children.${level}`);
  return KIND_ORDER.filter((k) => kinds.has(k))
    .map((k) => t(`kinds.${k}`))
    .join(', ');
}

/** The same noun as a column heading: `Xã, thị trấn`. */
export function childrenHeading(
  level: UnitLevel,
  children: readonly Pick<UnitRef, 'name' | 'level'>[],
  t: Translate,
): string {
  const noun = childrenNoun(level, children, t);
  return noun ? noun.charAt(0).toLocaleUpperCase('vi') + noun.slice(1) : t('league.name');
}

interface I18n {
  readonly lang: Lang;
  readonly t: Translate;
}

const KEY = Symbol('i18n');

/** Called once by the root layout; `getLang` is read lazily so the language can change. */
export function setI18n(getLang: () => Lang): void {
  setContext<I18n>(KEY, {
    get lang() {
      return getLang();
    },
    get t() {
      return translator(getLang());
    },
  });
}

/** The current language and its translate function, from the root layout. */
export function useI18n(): I18n {
  return getContext<I18n>(KEY) ?? { lang: 'vi', t: translator('vi') };
}
